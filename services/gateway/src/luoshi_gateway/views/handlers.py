"""Keeps the timeline and task views up to date from tasking's events. Never commits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.views.models import TaskView, TimelineEntry
from luoshi_gateway.views.rules import TASK_EVENTS, actor_of, summary
from luoshi_gateway.views.summaries import apply, contribution, deltas
from luoshi_kit.db import table_of
from luoshi_kit.messaging.batch import batch_cache, deferred
from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_kit.timebase import business_date
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.tasking.v1 import TaskAccepted, TaskEvent, TaskProgressReported, TaskProgressRolledUp

HANDLERS = HandlerTable()
_VIEWS = "task_views"  # task id -> its view (None: none yet), for the batch (see load_views)


async def load_views(*, session: AsyncSession, events: Sequence[CloudEvent[TaskEvent]]) -> None:
    """The views of a batch's tasks in one query (and which have none yet), before its events apply."""
    ids = {e.data.task.task_id for e in events}
    known = batch_cache(session, _VIEWS)
    known.update(dict.fromkeys(ids))
    for view in await session.scalars(_VIEWS_OF, {"ids": list(ids)}):
        known[view.task_id] = view


# Built once (building them per batch cost more than running them for a batch of one).
_VIEWS_OF = select(TaskView).where(TaskView.task_id.in_(bindparam("ids", expanding=True)))
_TIMELINE_INSERT = table_of(TimelineEntry).insert()


async def _insert_timeline(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await session.execute(_TIMELINE_INSERT, rows)


async def _apply_summaries(session: AsyncSession, changes: Counter[tuple[str, str]]) -> None:
    await apply(session=session, changes={key: value for key, value in changes.items() if value})


@HANDLERS.on(*TASK_EVENTS, prepare=load_views)
async def on_task_event(*, session: AsyncSession, event: CloudEvent[TaskEvent]) -> None:
    """The event on the task's timeline, its view brought up to date, the dashboard figures moved. The
    timeline rows and the figures are written once per batch (``luoshi_kit.messaging.batch``)."""
    data, ref = event.data, event.data.task
    deferred(session, _insert_timeline, list).append(
        {
            "event_id": event.id,
            "task_id": ref.task_id,
            "at": event.time,
            "event_type": event.type,
            "source": event.source.rsplit("/", 1)[-1],
            "actor_id": actor_of(data),
            "org_code": event.orgcode,
            "summary": summary(event.type, data),
            "data": data.model_dump(mode="json"),
        }
    )
    known = batch_cache(session, _VIEWS)
    if ref.task_id in known:
        view = known[ref.task_id]
    else:  # called outside a prepared batch
        view = await session.get(TaskView, ref.task_id)
    before, before_unit = contribution(view), view.lead_unit if view else None
    if view is None:
        view = TaskView(
            task_id=ref.task_id,
            state="assigned",
            co_units=[],
            progress_percent=0,
            overdue=False,
            lagging=False,
        )
        session.add(view)
        known[ref.task_id] = view
    elif view.updated_at > event.time and event.type != "tasking.task.assigned.v1":
        return  # an older event arriving late: the timeline has it, the view is already newer
    view.title, view.issuing_org, view.lead_unit = ref.title, ref.issuing_org, ref.lead_unit
    view.deadline, view.parent_id, view.updated_at = ref.deadline, ref.parent_id, event.time
    view.co_units = list(ref.co_units)
    new_state = TASK_EVENTS.get(event.type, ("", None))[1]
    if new_state:
        view.state = new_state
    if isinstance(data, TaskAccepted) and data.lagging is not None:
        view.lagging = data.lagging  # behind from the day it was signed for (its start lies in the past)
    if isinstance(data, TaskProgressReported | TaskProgressRolledUp):
        view.progress_percent = data.progress_percent
        # The task's colour after the report (tasking computes it); an older event without it clears the
        # warning until the engine raises it again.
        view.lagging = bool(data.lagging)
    if event.type == "tasking.task.completed.v1":
        view.completed_on = business_date(event.time)
    if event.type == "tasking.task.reopened.v1":
        view.completed_on = None
    if event.type == "tasking.task.overdue.v1":
        view.overdue = True
    if event.type == "tasking.task.lagging.v1":
        view.lagging = True
    if event.type == "tasking.task.deadline_extended.v1" and ref.deadline >= business_date(event.time):
        view.overdue = False  # the approved deadline is in the future again
    moved = deltas(before, before_unit, contribution(view), view.lead_unit)
    deferred(session, _apply_summaries, Counter).update(moved)
