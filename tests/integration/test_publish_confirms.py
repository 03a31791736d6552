"""AmqpBus.publish on the real broker: a batch's messages are all confirmed, carry their properties, and a
message that a queue of the topology must take but none can is reported Unroutable (it stays in the
outbox), while one no queue of the topology asks for is published without that demand."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence

import aio_pika

from luoshi_kit.messaging.amqp import AmqpBus
from luoshi_kit.messaging.bus import Delivery, OutgoingMessage, Unroutable
from luoshi_kit.messaging.topology import QueueSpec


async def test_a_batch_is_confirmed_and_arrives_with_its_properties(vhost_amqp_url: str) -> None:
    service = f"confirms{uuid.uuid4().hex[:8]}"
    key = f"test.{service}.thing.happened.v1"
    bus = AmqpBus(vhost_amqp_url, specs=[QueueSpec(service, (key,))])
    received: list[Delivery] = []
    all_in = asyncio.Event()
    await bus.start()
    try:

        async def on_batch(deliveries: Sequence[Delivery]) -> None:
            received.extend(deliveries)
            if len(received) >= 300:
                all_in.set()

        async def on_single(delivery: Delivery) -> None:
            raise AssertionError("a batch never failed")

        await bus.consume(service, on_batch, on_single)
        messages = [
            OutgoingMessage(f"m{i:03d}", "test.thing.happened.v1", key, f'{{"n": {i}}}'.encode())
            for i in range(300)
        ]
        assert await bus.publish(messages) == [None] * 300
        await asyncio.wait_for(all_in.wait(), timeout=20)
    finally:
        await bus.close()
    assert sorted(d.message_id for d in received) == [m.message_id for m in messages]
    assert {d.event_type for d in received} == {"test.thing.happened.v1"}
    assert {d.body for d in received} == {m.body for m in messages}


async def test_a_message_the_topology_must_take_but_cannot_is_unroutable(vhost_amqp_url: str) -> None:
    service = f"unroutable{uuid.uuid4().hex[:8]}"
    key = f"test.{service}.thing.happened.v1"
    bus = AmqpBus(vhost_amqp_url, specs=[QueueSpec(service, (key,))])
    await bus.start()
    try:
        connection = await aio_pika.connect(vhost_amqp_url)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(QueueSpec(service, (key,)).name)  # the topology is broken
        routed = OutgoingMessage("m1", "test.thing.happened.v1", key, b"{}")
        nobody = OutgoingMessage("m2", "test.other.happened.v1", f"test.{service}.other.v1", b"{}")
        first, second = await bus.publish([routed, nobody])
    finally:
        await bus.close()
    assert isinstance(first, Unroutable)
    assert second is None


async def test_a_batch_goes_out_in_few_rounds_of_a_busy_event_loop(vhost_amqp_url: str) -> None:
    """A process serving requests runs rounds of its event loop of several ms each: a relay batch must not
    need a round per few messages (aiormq's frame queue of ten took two rounds per ten, issue 10)."""
    service = f"rounds{uuid.uuid4().hex[:8]}"
    key = f"test.{service}.thing.happened.v1"
    bus = AmqpBus(vhost_amqp_url, specs=[QueueSpec(service, (key,))])
    rounds = 0

    async def busy() -> None:  # another task's work in every round of the loop
        nonlocal rounds
        while True:
            time.sleep(0.001)  # noqa: ASYNC251 - the point: a round that holds the loop
            rounds += 1
            await asyncio.sleep(0)

    await bus.start()
    other = asyncio.create_task(busy())
    try:
        messages = [OutgoingMessage(f"m{i:03d}", "test.thing.happened.v1", key, b"{}") for i in range(500)]
        before = rounds
        assert await bus.publish(messages) == [None] * 500
        spent = rounds - before
    finally:
        other.cancel()
        await bus.close()
    assert spent < 100, spent  # 500 / PUBLISH_SLICE slices and the confirms: ~25; one per message before
