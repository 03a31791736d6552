"""Poison messages end in the dead-letter queue after the delivery limit; replay works once fixed."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime

import aio_pika
import pytest
from sqlalchemy import MetaData, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from luoshi_cli.dlq import list_dead_letters, replay_dead_letters
from luoshi_kit.db import NAMING, InboxMixin, OutboxMixin, ServiceTables, make_engine, make_sessionmaker
from luoshi_kit.messaging.amqp import AmqpBus
from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_kit.messaging.inbox import EventConsumer
from luoshi_kit.messaging.outbox import add_event
from luoshi_kit.messaging.relay import OutboxRelay
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.registry import EXCHANGE
from luoshi_proto.tasking.v1 import Actor, TaskAssigned, TaskRef


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class OutboxEvent(OutboxMixin, Base):
    pass


class InboxEvent(InboxMixin, Base):
    pass


TABLES = ServiceTables(base=Base, outbox=OutboxEvent, inbox=InboxEvent)


class Effect(Base):
    __tablename__ = "effect"
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)


async def _eventually(probe, within: float = 30.0):
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        if value := await probe():
            return value
        await asyncio.sleep(0.2)
    raise AssertionError("timed out")


async def _scenario(amqp_url: str, postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    maker = make_sessionmaker(engine, TABLES)
    broken = True
    attempts = 0

    handlers = HandlerTable()

    @handlers.on("tasking.task.assigned.v1")
    async def handle(*, session: AsyncSession, event: CloudEvent[TaskAssigned]) -> None:
        nonlocal attempts
        attempts += 1
        if broken:
            raise RuntimeError("the cause: a bug in the handler")
        session.add(Effect(task_id=event.data.task.task_id))

    bus = AmqpBus(amqp_url, delivery_limit=3)
    await bus.start()
    consumer = EventConsumer(service="notification", sessionmaker=maker, handlers=handlers)
    await bus.consume("notification", consumer.handle_batch, consumer.handle_one)
    relay = OutboxRelay(service="tasking", bus=bus, sessionmaker=maker)
    task_id = str(uuid.uuid4())
    try:
        async with maker() as session, session.begin():
            add_event(
                session=session,
                source="tasking",
                orgcode="520102000000",
                subject=task_id,
                data=TaskAssigned(
                    task=TaskRef(
                        task_id=task_id,
                        title="死信测试",
                        issuing_org="520000000000",
                        lead_unit="520102000000",
                        deadline=date(2099, 1, 1),
                    ),
                    by=Actor(person_id="u-test", org_code="520000000000"),
                    at=datetime.now(UTC),
                ),
            )
        assert await relay.publish_batch() == (1, 0)

        letters = await _eventually(lambda: list_dead_letters(amqp_url, "notification"))
        assert [(d.event_type, d.reason) for d in letters] == [("tasking.task.assigned.v1", "delivery_limit")]
        assert attempts >= 3  # the delivery limit, counted by the quorum queue
        # Listing does not consume: the letter is still there.
        assert len(await list_dead_letters(amqp_url, "notification")) == 1

        # A message that can never be parsed goes straight to the DLQ, without retries.
        connection = await aio_pika.connect(amqp_url)
        channel = await connection.channel()
        exchange = await channel.get_exchange(EXCHANGE)
        await exchange.publish(
            aio_pika.Message(b"{not json", message_id="garbage"), "tasking.task.assigned.v1.52.01.02"
        )
        await connection.close()
        letters = await _eventually(
            lambda: _when(list_dead_letters(amqp_url, "notification"), lambda r: len(r) == 2)
        )
        assert {d.reason for d in letters} == {"delivery_limit", "rejected"}

        broken = False  # the cause is fixed
        assert await replay_dead_letters(amqp_url, "notification") == 2
        async with maker() as session:

            async def handled() -> bool:
                return bool(await session.scalar(select(func.count()).select_from(Effect)))

            await _eventually(handled)
        # The good event took effect once; the garbage is back in the DLQ, nothing else is lost.
        letters = await _eventually(
            lambda: _when(list_dead_letters(amqp_url, "notification"), lambda r: len(r) == 1)
        )
        assert letters[0].message_id == "garbage"
        async with maker() as session:
            assert await session.scalar(select(func.count()).select_from(Effect)) == 1
            assert await session.scalar(select(func.count()).select_from(InboxEvent)) == 1
    finally:
        await bus.close()
        await engine.dispose()


async def _when(coro, condition):
    result = await coro
    return result if condition(result) else None


@pytest.mark.timeout(120)
def test_poison_message_is_dead_lettered_and_replayed(vhost_amqp_url: str, postgres_url: str) -> None:
    asyncio.run(_scenario(vhost_amqp_url, postgres_url))
