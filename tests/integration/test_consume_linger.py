"""A consumer that lingers takes messages arriving soon after the first into the same batch."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

from luoshi_kit.messaging.amqp import AmqpBus
from luoshi_kit.messaging.bus import Delivery, OutgoingMessage
from luoshi_kit.messaging.topology import QueueSpec


async def _batch_sizes(amqp_url: str, linger: float) -> list[int]:
    service = f"linger{uuid.uuid4().hex[:8]}"
    key = f"test.{service}.thing.happened.v1"
    bus = AmqpBus(amqp_url, specs=[QueueSpec(service, (key,))], linger_seconds=linger)
    sizes: list[int] = []
    all_in = asyncio.Event()
    await bus.start()
    try:

        async def on_batch(deliveries: Sequence[Delivery]) -> None:
            sizes.append(len(deliveries))
            if sum(sizes) >= 5:
                all_in.set()

        async def on_single(delivery: Delivery) -> None:
            raise AssertionError("a batch never failed")

        await bus.consume(service, on_batch, on_single)

        def message() -> OutgoingMessage:
            return OutgoingMessage(str(uuid.uuid4()), "test.thing.happened.v1", key, b"{}")

        assert await bus.publish([message()]) == [None]
        await asyncio.sleep(0.1)  # the rest arrive while the first is (or would be) handled
        assert await bus.publish([message() for _ in range(4)]) == [None] * 4
        await asyncio.wait_for(all_in.wait(), timeout=20)
        return sizes
    finally:
        await bus.close()  # the vhost, with its queues, goes with the fixture


async def test_lingering_takes_the_later_messages_into_the_first_batch(vhost_amqp_url: str) -> None:
    assert await _batch_sizes(vhost_amqp_url, linger=1.0) == [5]


async def test_without_lingering_the_first_message_is_handled_alone(vhost_amqp_url: str) -> None:
    sizes = await _batch_sizes(vhost_amqp_url, linger=0.0)
    assert sum(sizes) == 5 and sizes[0] == 1
