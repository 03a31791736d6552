"""Property: after any stream of events (duplicates and replays included), manual items, corrections and rule
changes, every standing recomputed from the ledger alone equals the stored one, in every period."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from luoshi_kit.db import make_sessionmaker, table_of
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.bus import Delivery
from luoshi_kit.messaging.inbox import EventConsumer
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.supervision.v1 import ListingChanged, UrgeEscalated, UrgeRef
from luoshi_proto.tasking.v1 import Actor, TaskExtensionDecided, TaskProgressReported
from luoshi_scoring.db import TABLES, Base
from luoshi_scoring.ledger import manual
from luoshi_scoring.ledger.check import recompute
from luoshi_scoring.ledger.models import PointsEntry
from luoshi_scoring.ledger.schemas import CorrectionIn, ManualEntryIn
from luoshi_scoring.main import SPEC
from luoshi_scoring.orgs.models import Org
from luoshi_scoring.rulebook.schemas import RuleVersionIn
from luoshi_scoring.rulebook.service import add_version

from . import events as ev
from .conftest import ORGS, PROVINCE

UNITS = [code for code, *_ in ORGS if code != PROVINCE]
START = date(2026, 8, 1)
ADMIN = Identity(person_id="p-admin", username="a", display_name="a", org_code=PROVINCE, roles=["admin"])
KINDS = ("closed", "overdue", "finding", "verified", "rejected", "listed", "urge", "progress", "extension")

operation = st.one_of(
    st.tuples(
        st.just("event"),
        st.sampled_from(KINDS),
        st.integers(0, len(UNITS) - 1),
        st.integers(0, 5),  # task / item number: repeats make replays of one occurrence
        st.integers(0, 240),  # day offset: 2026Q3 … 2027Q1
        st.booleans(),  # delivered twice
    ),
    st.tuples(st.just("manual"), st.integers(0, len(UNITS) - 1), st.integers(-500, 500), st.integers(0, 240)),
    st.tuples(st.just("correct"), st.integers(0, 1000), st.integers(0, 240)),
    st.tuples(
        st.just("rule"),
        st.sampled_from(["task_closed_on_time", "finding_recorded"]),
        st.integers(-9, 9),
        st.integers(0, 240),
    ),
)


def _payload(kind: str, unit: str, n: int, day: date) -> tuple[str, BaseModel]:
    deadline = day + timedelta(days=(n % 3) - 1)
    ref = ev.task(f"T-{unit}-{n}", unit, deadline)
    at = datetime(day.year, day.month, day.day, 3, tzinfo=UTC)
    by = Actor(person_id="p-office", org_code=PROVINCE)
    rect = ev.rectification(f"R-{unit}-{n}", unit, deadline)
    match kind:
        case "closed":
            return "tasking.task.closed.v1", ev.closed(ref, day)
        case "overdue":
            return "tasking.task.overdue.v1", ev.overdue(ref)
        case "finding":
            return "supervision.finding.recorded.v1", ev.finding(f"F-{unit}-{n}", unit, day)
        case "verified":
            return "supervision.rectification.verified.v1", ev.verified(rect, day, on_time=n % 2 == 0)
        case "rejected":
            return "supervision.rectification.rejected.v1", ev.rejected(rect, day)
        case "listed":
            return "supervision.listing.placed.v1", ListingChanged(rectification=rect, by=by, at=at)
        case "urge":
            urge = UrgeRef(
                urge_id=f"U-{unit}-{n}",
                kind="urge",
                issuing_org=PROVINCE,
                org_code=unit,
                recipient_role="handler",
                level=0,
                answer_due=day,
                answer_due_at=at,
                automatic=False,
            )
            return "supervision.urge.escalated.v1", UrgeEscalated(urge=urge, at=at, from_role="handler")
        case "progress":
            lead = Actor(person_id="p-lead", org_code=unit)
            return "tasking.task.progress_reported.v1", TaskProgressReported(
                task=ref,
                by=lead,
                at=at,
                report_id=f"P-{n}",
                progress_percent=50,
                progress="推进",
                problems="无",
                measures="继续",
            )
        case _:
            return "tasking.task.extension_decided.v1", TaskExtensionDecided(
                task=ref,
                by=by,
                at=at,
                extension_id=f"X-{unit}-{n}",
                decision="approved",
                requested_deadline=deadline + timedelta(days=10),
                late=n % 2 == 1,
            )


async def _run(url: str, operations: list[tuple[Any, ...]]) -> None:
    engine = create_async_engine(url)
    maker = make_sessionmaker(engine, TABLES)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
            for table in reversed(Base.metadata.sorted_tables):
                await conn.execute(delete(table))
            await conn.execute(
                table_of(Org).insert(),
                [
                    {
                        "code": c,
                        "name": n,
                        "kind": "department" if len(c) > 12 else "government",
                        "level": lv,
                        "parent_code": p,
                        "active": True,
                    }
                    for c, n, lv, p in ORGS
                ],
            )
        consumer = EventConsumer(service="scoring", sessionmaker=maker, handlers=SPEC.handlers)
        for op in operations:
            day = START + timedelta(days=op[-1] if op[0] != "event" else op[4])
            if op[0] == "event":
                _, kind, unit, n, _offset, twice = op
                event_type, data = _payload(kind, UNITS[unit], n, day)
                event: CloudEvent[BaseModel] = CloudEvent(
                    source="/luoshi/test", type=event_type, orgcode=UNITS[unit], data=data
                )
                delivery = Delivery(event.id, event_type, event.model_dump_json().encode())
                await consumer.handle_batch([delivery, delivery] if twice else [delivery])
                if twice:
                    await consumer.handle_one(delivery)
                continue
            try:
                async with maker() as session, session.begin():
                    await _apply(session, op, day)
            except Problem as exc:  # a correction with nothing left to correct: 409, nothing written
                assert exc.status == 409, exc
        async with maker() as session:
            result = await recompute(session=session)
            assert result.mismatches == [], result.mismatches[:3]
            for period in result.periods:
                assert (await recompute(session=session, period=period)).mismatches == []
    finally:
        await engine.dispose()


async def _apply(session: AsyncSession, op: tuple[Any, ...], day: date) -> None:
    if op[0] == "manual":
        points = Decimal(op[2]) / 100 or Decimal("0.5")
        data = ManualEntryIn(org_code=UNITS[op[1]], points=points, basis="随机手工记分")
        await manual.add_manual(session=session, identity=ADMIN, data=data, today=day)
    elif op[0] == "correct":
        ids = list((await session.scalars(select(PointsEntry.id).order_by(PointsEntry.id))).all())
        if ids:
            entry_id = ids[op[1] % len(ids)]
            fix = CorrectionIn(reason="随机更正")
            await manual.correct(session=session, identity=ADMIN, entry_id=entry_id, data=fix, today=day)
    else:
        rule = RuleVersionIn(code=op[1], points=Decimal(op[2]), effective_from=day, reason="随机调整")
        await add_version(session=session, identity=ADMIN, data=rule, today=day)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operation, min_size=1, max_size=40))
def test_recompute_equals_stored_after_any_stream(
    postgres_url: str, operations: list[tuple[Any, ...]]
) -> None:
    asyncio.run(_run(postgres_url, operations))
