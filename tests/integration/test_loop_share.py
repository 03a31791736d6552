"""Handling a batch of events and publishing a batch of outbox rows leave the event loop turns: a request
arriving meanwhile is not held up for the whole batch (luoshi_kit.loopshare). A ticker measures the
longest stretch the loop went without running it while the batch ran (luoshi_kit.testing.longest_stall)."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import make_engine, make_sessionmaker
from luoshi_kit.messaging.amqp import AmqpBus
from luoshi_kit.messaging.bus import Delivery, OutgoingMessage
from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_kit.messaging.inbox import EventConsumer
from luoshi_kit.messaging.topology import QueueSpec
from luoshi_kit.testing import kit_tables, longest_stall
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.tasking.v1 import Actor, TaskAccepted, TaskRef

ORG = "520102000000"
TYPE = "tasking.task.accepted.v1"
TABLES = kit_tables()
HANDLER_SECONDS = 0.0005  # synchronous work per event, as a handler that only defers its writes does
EVENTS = 300  # 0.15 s of such work in one batch
LONGEST_STALL = 0.05  # a third of the batch (a loop that never turned stood still ~150 ms here; now ~3)
PUBLISHES = 3000  # their starts held the loop 37-44 ms in one stretch here; a slice at a time, ~4 ms
LONGEST_PUBLISH_STALL = 0.02


def _delivery(n: int) -> Delivery:
    ref = TaskRef(
        task_id=f"T{n}", title="t", issuing_org="520000000000", lead_unit=ORG, deadline=date(2026, 12, 31)
    )
    data = TaskAccepted(task=ref, by=Actor(person_id="p", org_code=ORG), at=datetime.now(UTC))
    event = CloudEvent[TaskAccepted](source="/luoshi/tasking", type=TYPE, orgcode=ORG, data=data)
    return Delivery(
        message_id=event.id, routing_key=TYPE, body=event.model_dump_json().encode(), event_type=TYPE
    )


@asynccontextmanager
async def _consumer(url: str) -> AsyncIterator[EventConsumer]:
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(TABLES.base.metadata.create_all)
    handlers = HandlerTable()

    @handlers.on(TYPE)
    async def busy(*, session: AsyncSession, event: CloudEvent[TaskAccepted]) -> None:
        until = time.perf_counter() + HANDLER_SECONDS
        while time.perf_counter() < until:
            pass

    try:
        yield EventConsumer(
            service="kit-test", sessionmaker=make_sessionmaker(engine, TABLES), handlers=handlers
        )
    finally:
        await engine.dispose()


async def test_a_batch_of_events_leaves_the_loop_turns(postgres_url: str) -> None:
    deliveries = [_delivery(n) for n in range(EVENTS)]
    async with _consumer(postgres_url) as consumer:
        stall = await longest_stall(consumer.handle_batch(deliveries))
        assert stall < LONGEST_STALL, f"the loop stood still for {stall * 1000:.0f} ms"


async def test_publishing_a_batch_leaves_the_loop_turns(vhost_amqp_url: str) -> None:
    service = f"share{uuid.uuid4().hex[:8]}"
    key = f"test.{service}.thing.happened.v1"
    bus = AmqpBus(vhost_amqp_url, specs=[QueueSpec(service, (key,))])
    await bus.start()
    try:
        body = b"{" + b'"x":"' + b"y" * 600 + b'"}'
        messages = [
            OutgoingMessage(str(uuid.uuid4()), "test.thing.happened.v1", key, body) for _ in range(PUBLISHES)
        ]
        results: list[BaseException | None] = []

        async def publish() -> None:
            results.extend(await bus.publish(messages))

        stall = await longest_stall(publish())
        assert results == [None] * len(messages)  # every one confirmed
        assert stall < LONGEST_PUBLISH_STALL, f"the loop stood still for {stall * 1000:.0f} ms"
    finally:
        await bus.close()
