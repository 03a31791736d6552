"""add_events stages the same outbox rows add_event does, with one executemany INSERT."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from luoshi_kit.db import make_engine, make_sessionmaker
from luoshi_kit.messaging.outbox import PendingEvent, add_event, add_events
from luoshi_kit.testing import kit_tables
from luoshi_proto.tasking.v1 import Actor, TaskAccepted, TaskRef

TABLES = kit_tables()


def _accepted(task_id: str) -> TaskAccepted:
    ref = TaskRef(
        task_id=task_id,
        title="t",
        issuing_org="520000000000",
        lead_unit="520102000000",
        deadline=date(2026, 12, 31),
    )
    return TaskAccepted(task=ref, by=Actor(person_id="p", org_code="520102000000"), at=datetime.now(UTC))


async def test_bulk_rows_match_single_rows(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(TABLES.base.metadata.create_all)
    woken: list[int] = []
    maker = make_sessionmaker(engine, TABLES, on_outbox_commit=lambda: woken.append(1))
    try:
        async with maker() as session, session.begin():
            single = add_event(session=session, source="tasking", data=_accepted("a"), orgcode="520102000000")
            many = await add_events(
                session=session,
                source="tasking",
                events=[PendingEvent(data=_accepted(i), orgcode="520102000000", subject=i) for i in "bc"],
            )
            assert await add_events(session=session, source="tasking", events=[]) == []
        assert woken == [1]
        outbox = TABLES.outbox
        async with maker() as session:
            rows = {r.id: r for r in await session.scalars(select(outbox))}
        assert set(rows) == {single.id, *(e.id for e in many)}
        for row in rows.values():
            assert row.event_type == "tasking.task.accepted.v1"
            assert row.routing_key == "tasking.task.accepted.v1.52.01.02"
            assert row.published_at is None and row.attempts == 0 and row.last_error is None
            assert json.loads(row.body)["source"] == "/luoshi/tasking"
        assert [json.loads(rows[e.id].body)["subject"] for e in many] == ["b", "c"]
    finally:
        await engine.dispose()
