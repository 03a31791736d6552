"""Dashboard summaries kept from events equal a recount of the task views, whatever the event stream."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import BaseModel
from sqlalchemy import func, select

from luoshi_gateway.db import TABLES, Base
from luoshi_gateway.views import summaries
from luoshi_gateway.views.handlers import HANDLERS, on_task_event
from luoshi_gateway.views.models import TaskView, TimelineEntry
from luoshi_kit.db import make_engine, make_sessionmaker
from luoshi_kit.messaging.batch import finish_batch
from luoshi_kit.messaging.bus import Delivery
from luoshi_kit.messaging.inbox import EventConsumer
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.registry import EVENT_TYPES
from luoshi_proto.tasking.v1 import (
    Actor,
    FieldChange,
    TaskAccepted,
    TaskAssigned,
    TaskCoUnitConfirmed,
    TaskDeadlineAlert,
    TaskDeadlineExtended,
    TaskEvent,
    TaskExtensionDecided,
    TaskExtensionRequested,
    TaskProgressReported,
    TaskProgressRolledUp,
    TaskRef,
    TaskStateChanged,
    TaskUpdated,
)

UNITS = ["520102000000", "520102001000", "520103000000", "520100000000D01", "520201000000", "520000000000D02"]
BY = Actor(person_id="p", org_code="520000000000")
T0 = datetime(2026, 1, 5, tzinfo=UTC)


def test_scopes_climb_from_a_department_and_a_township_to_the_province() -> None:
    assert summaries.summary_scopes("520102001000") == [
        "520102001000",
        "520102000000",
        "520100000000",
        "520000000000",
    ]
    assert summaries.summary_scopes("520100000000D01") == ["520100000000D01", "520100000000", "520000000000"]


def _payload(rng: random.Random, event_type: str, ref: TaskRef) -> TaskEvent:
    model: type[BaseModel] = EVENT_TYPES[event_type]
    if model is TaskAssigned:
        return TaskAssigned(task=ref, by=BY, at=T0)
    if model is TaskAccepted:
        return TaskAccepted(task=ref, by=BY, at=T0)
    if model is TaskProgressReported:
        return TaskProgressReported(
            task=ref,
            by=BY,
            at=T0,
            report_id="r",
            progress_percent=rng.randint(0, 100),
            progress="p",
            problems="",
            measures="",
            lagging=rng.choice([None, False, True]),
        )
    if model is TaskProgressRolledUp:
        return TaskProgressRolledUp(
            task=ref,
            at=T0,
            subtask_id="s",
            progress_percent=rng.randint(0, 100),
            previous_percent=rng.randint(0, 100),
            lagging=rng.choice([False, True]),
        )
    if model is TaskDeadlineAlert:
        return TaskDeadlineAlert(
            task=ref,
            occurrence="o",
            colour="red",
            due=ref.deadline,
            working_days_left=0,
            progress_percent=10,
            expected_percent=50,
        )
    if model is TaskStateChanged:
        return TaskStateChanged(task=ref, by=BY, at=T0, from_state="x", to_state="y")
    late = rng.random() < 0.3  # 延期 (issue 9)
    if model is TaskExtensionRequested:
        return TaskExtensionRequested(
            task=ref,
            by=BY,
            at=T0,
            reason="r",
            current_deadline=ref.deadline,
            requested_deadline=ref.deadline + timedelta(days=10),
            working_days_added=8,
            extension_id="e",
            late=late,
        )
    if model is TaskExtensionDecided:
        return TaskExtensionDecided(
            task=ref,
            by=BY,
            at=T0,
            decision="approved",
            requested_deadline=ref.deadline,
            extension_id="e",
            late=late,
        )
    if model is TaskDeadlineExtended:
        return TaskDeadlineExtended(
            task=ref,
            by=BY,
            at=T0,
            previous_deadline=ref.deadline - timedelta(days=10),
            working_days_added=8,
            extension_id="e",
            late=late,
        )
    if model is TaskUpdated:
        change = FieldChange(field="title", before="a", after=ref.title)
        return TaskUpdated(task=ref, by=BY, at=T0, reason="r", changes=[change])
    if model is TaskCoUnitConfirmed:
        return TaskCoUnitConfirmed(task=ref, by=BY, at=T0, org_code=ref.lead_unit)
    return model.model_validate({"task": ref, "by": BY, "at": T0, "reason": "r"})  # type: ignore[return-value]


def _stream(seed: int, length: int) -> list[CloudEvent[TaskEvent]]:
    rng = random.Random(seed)
    task_types = sorted(t for t in EVENT_TYPES if t.startswith("tasking.task."))
    events: list[CloudEvent[TaskEvent]] = []
    for n in range(length):
        task = f"t{rng.randint(1, 12)}"
        event_type = rng.choice(task_types)
        ref = TaskRef(
            task_id=task,
            title=task,
            issuing_org="520000000000",
            lead_unit=rng.choice(UNITS),  # a later event may name another lead unit (reassignment)
            deadline=date(2026, 3, 1) + timedelta(days=rng.randint(-40, 40)),
        )
        # Mostly in order, sometimes late: the view ignores older events, the summaries must follow it.
        moment = T0 + timedelta(minutes=n if rng.random() > 0.15 else n - rng.randint(1, 30))
        events.append(
            CloudEvent[TaskEvent](
                source="/luoshi/tasking",
                type=event_type,
                orgcode=ref.lead_unit,
                subject=task,
                time=moment,
                data=_payload(rng, event_type, ref),
            )
        )
    return events


def _deliveries(events: list[CloudEvent[TaskEvent]]) -> list[Delivery]:
    """As the bus hands them over (each payload serialised as its own event type, not as the base)."""
    return [Delivery(e.id, e.type, e.model_dump_json(serialize_as_any=True).encode()) for e in events]


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("batched", [False, True])
async def test_summaries_equal_a_recount_after_a_random_event_stream(
    tmp_path: Path, seed: int, batched: bool
) -> None:
    """One event per transaction, or through the consumer in batches of random size (1-40) the way the
    bus hands them over: views loaded per batch, timeline rows and figures written once per batch."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    maker = make_sessionmaker(engine, TABLES)
    events = _stream(seed, 150)
    try:
        if batched:
            consumer = EventConsumer(service="gateway", sessionmaker=maker, handlers=HANDLERS)
            rng, start = random.Random(seed), 0
            while start < len(events):
                size = rng.randint(1, 40)
                chunk = events[start : start + size]
                await consumer.handle_batch(_deliveries(chunk))
                start += size
        else:
            for event in events:
                async with maker() as session, session.begin():
                    await on_task_event(session=session, event=event)
                    await finish_batch(session)
        async with maker() as session:
            stored = await summaries.stored(session=session)
            assert stored == await summaries.recount(session=session)
            assert stored[("520000000000", "tasks")] == len({e.data.task.task_id for e in events})
            timeline = await session.scalar(select(func.count()).select_from(TimelineEntry))
            assert timeline == len(events)
        async with maker() as session, session.begin():
            await summaries.rebuild(session=session)
        async with maker() as session:
            assert await summaries.stored(session=session) == stored
    finally:
        await engine.dispose()


async def test_a_report_that_does_not_catch_up_keeps_the_task_lagging(tmp_path: Path) -> None:
    """The figures follow the colour the report leaves (tasking says it), not only the weekly warning:
    a task reported still behind right after the deadline scan counts as lagging (yellow)."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    maker = make_sessionmaker(engine, TABLES)
    ref = TaskRef(
        task_id="t", title="t", issuing_org="520000000000", lead_unit=UNITS[0], deadline=date(2026, 3, 1)
    )

    def event(n: int, event_type: str, data: TaskEvent) -> CloudEvent[TaskEvent]:
        return CloudEvent[TaskEvent](
            source="/luoshi/tasking",
            type=event_type,
            orgcode=ref.lead_unit,
            subject="t",
            time=T0 + timedelta(minutes=n),
            data=data,
        )

    def report(percent: int, lagging: bool | None) -> TaskProgressReported:
        return TaskProgressReported(
            task=ref,
            by=BY,
            at=T0,
            report_id="r",
            progress_percent=percent,
            progress="p",
            problems="",
            measures="",
            lagging=lagging,
        )

    async def lagging_figure() -> tuple[int, int]:
        async with maker() as session:
            figures = (await summaries.figures_of(session=session, org_codes=["520000000000"]))[
                "520000000000"
            ]
            return figures["lagging"], figures["colour:yellow"]

    try:
        async with maker() as session, session.begin():
            await on_task_event(
                session=session,
                event=event(0, "tasking.task.assigned.v1", TaskAssigned(task=ref, by=BY, at=T0)),
            )
            accepted = TaskAccepted(task=ref, by=BY, at=T0, lagging=True)  # its start lay in the past
            await on_task_event(session=session, event=event(1, "tasking.task.accepted.v1", accepted))
            await finish_batch(session)
        assert await lagging_figure() == (1, 1)  # yellow from the day it was signed for
        async with maker() as session, session.begin():
            await on_task_event(
                session=session, event=event(2, "tasking.task.progress_reported.v1", report(10, True))
            )
            await finish_batch(session)
        assert await lagging_figure() == (1, 1)
        async with maker() as session, session.begin():
            await on_task_event(
                session=session, event=event(3, "tasking.task.progress_reported.v1", report(90, False))
            )
            await finish_batch(session)
        assert await lagging_figure() == (0, 0)
        async with maker() as session, session.begin():
            await on_task_event(
                session=session, event=event(4, "tasking.task.progress_reported.v1", report(20, None))
            )
            await finish_batch(session)
        assert await lagging_figure() == (0, 0)  # an older event without the field: as before, cleared
        # A parent's progress recomputed from its subtasks (nobody reported) moves the view and its colour.
        rolled = TaskProgressRolledUp(
            task=ref, at=T0, subtask_id="s", progress_percent=35, previous_percent=20, lagging=True
        )
        async with maker() as session, session.begin():
            await on_task_event(session=session, event=event(5, "tasking.task.progress_rolled_up.v1", rolled))
            await finish_batch(session)
        assert await lagging_figure() == (1, 1)
        async with maker() as session:
            assert (await session.get(TaskView, "t")).progress_percent == 35  # type: ignore[union-attr]
    finally:
        await engine.dispose()


async def test_a_batch_gives_the_views_and_figures_one_event_at_a_time_gives(tmp_path: Path) -> None:
    """Batching changes the number of statements, never the outcome: the same stream, once one event per
    transaction and once in batches of 25, leaves the same views and the same figures."""
    events = _stream(99, 200)
    outcomes = []
    for batched in (False, True):
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / f'gateway-{batched}.db'}")
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        maker = make_sessionmaker(engine, TABLES)
        consumer = EventConsumer(service="gateway", sessionmaker=maker, handlers=HANDLERS)
        try:
            size = 25 if batched else 1
            for start in range(0, len(events), size):
                chunk = events[start : start + size]
                await consumer.handle_batch(_deliveries(chunk))
            async with maker() as session:
                views = (await session.scalars(select(TaskView).order_by(TaskView.task_id))).all()
                outcomes.append(
                    (
                        [
                            (v.task_id, v.state, v.lead_unit, v.overdue, v.lagging, v.completed_on)
                            for v in views
                        ],
                        await summaries.stored(session=session),
                    )
                )
        finally:
            await engine.dispose()
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0], "the stream left no views"
