"""The consumer claims a batch's inbox rows in one statement first: an event already handled, or twice in
one batch, runs its handler once; a batch that fails leaves no inbox row behind (PostgreSQL and SQLite)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import make_engine, make_sessionmaker
from luoshi_kit.messaging.bus import Delivery
from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_kit.messaging.inbox import EventConsumer
from luoshi_kit.metrics import EVENTS_DUPLICATE
from luoshi_kit.testing import kit_tables
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.tasking.v1 import Actor, TaskAccepted, TaskRef

ORG = "520102000000"
TYPE = "tasking.task.accepted.v1"


TABLES = kit_tables()


def _delivery(task_id: str) -> Delivery:
    ref = TaskRef(
        task_id=task_id, title="t", issuing_org="520000000000", lead_unit=ORG, deadline=date(2026, 12, 31)
    )
    data = TaskAccepted(task=ref, by=Actor(person_id="p", org_code=ORG), at=datetime.now(UTC))
    event = CloudEvent[TaskAccepted](
        source="/luoshi/tasking", type=TYPE, orgcode=ORG, data=data, id=f"id-{task_id}"
    )
    return Delivery(message_id=event.id, routing_key=TYPE, body=event.model_dump_json().encode())


async def _claims(url: str) -> tuple[list[str], int, float]:
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(TABLES.base.metadata.create_all)
    handled: list[str] = []
    handlers = HandlerTable()

    @handlers.on(TYPE)
    async def record(*, session: AsyncSession, event: CloudEvent[TaskAccepted]) -> None:
        handled.append(event.data.task.task_id)
        if event.data.task.task_id == "boom":
            raise RuntimeError("the handler fails")

    consumer = EventConsumer(
        service="kit-test", sessionmaker=make_sessionmaker(engine, TABLES), handlers=handlers
    )
    duplicates = EVENTS_DUPLICATE.labels("kit-test", TYPE)
    before = duplicates._value.get()
    try:
        await consumer.handle_batch([_delivery("a"), _delivery("b"), _delivery("a")])
        await consumer.handle_batch([_delivery("b"), _delivery("c")])
        with pytest.raises(RuntimeError):
            await consumer.handle_batch([_delivery("d"), _delivery("boom")])
        async with consumer.sessionmaker() as session:
            rows = int(await session.scalar(select(func.count()).select_from(TABLES.inbox)) or 0)
        return handled, rows, duplicates._value.get() - before
    finally:
        await engine.dispose()


def _check(handled: list[str], rows: int, duplicates: float) -> None:
    assert handled[:3] == ["a", "b", "c"]  # a twice in its batch, b again in the next: once each
    assert handled[3:] == ["d", "boom"]
    assert rows == 3  # d's row went with the failed batch: it will be handled when redelivered
    assert duplicates == 2


def test_claims_on_postgresql(postgres_url: str) -> None:
    _check(*asyncio.run(_claims(postgres_url)))


def test_claims_on_sqlite(tmp_path: Path) -> None:
    _check(*asyncio.run(_claims(f"sqlite+aiosqlite:///{tmp_path / 'inbox.db'}")))
