"""The RabbitMQ bus: confirmed mandatory publishing, quorum queues, batched consumption."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

import aio_pika
import aiormq
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustChannel, AbstractRobustConnection
from aio_pika.exceptions import PublishError

from luoshi_kit.messaging.bus import (
    BatchHandler,
    Delivery,
    OutgoingMessage,
    PoisonMessage,
    SingleHandler,
    Unroutable,
)
from luoshi_kit.messaging.topology import (
    DEAD_LETTER_EXCHANGE,
    EXCHANGE,
    QueueSpec,
    pattern_to_regex,
    queue_specs,
)

log = logging.getLogger(__name__)
PERSISTENT = int(aio_pika.DeliveryMode.PERSISTENT)
PUBLISH_SLICE = 32  # publishes started per round of the event loop (~0.5 ms of marshalling)
# aiormq queues a connection's outgoing frames in a queue of 10: its writer takes ten and wakes ten waiting
# publishes, which queue theirs a round of the event loop later — two rounds per ten messages. Behind a
# process busy with requests (rounds of several ms) a relay batch of 500 took 1.2-2.2 s to go out instead
# of ~0.1 s (issue 10, bench/pipeline.py at 32 producers). A slice's frames now go into the queue at once.
aiormq.Connection.FRAME_BUFFER_SIZE = max(aiormq.Connection.FRAME_BUFFER_SIZE, 1024)


class AmqpBus:
    def __init__(
        self,
        url: str,
        *,
        prefetch: int = 200,
        batch_size: int = 100,
        delivery_limit: int = 5,
        specs: list[QueueSpec] | None = None,
        linger_seconds: float = 0.02,
    ):
        self.url, self.prefetch, self.batch_size = url, prefetch, batch_size
        # How long a batch waits after its first message for more to join it: fewer, larger batches
        # (a batch's statements are paid once) for that much more latency (the kit's setting
        # ``consumer_linger_seconds``). 0: handle what is there.
        self.linger_seconds = linger_seconds
        self.specs = specs if specs is not None else queue_specs(delivery_limit)
        self._routes = [pattern_to_regex(p) for spec in self.specs for p in spec.patterns]
        self._connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractRobustChannel | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._connection = await aio_pika.connect_robust(self.url, client_properties={"product": "luoshi"})
        self._publish_channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        await declare_topology(self._publish_channel, self.specs)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._connection:
            await self._connection.close()

    async def healthy(self) -> bool:
        return bool(
            self._connection
            and not self._connection.is_closed
            and self._publish_channel
            and not self._publish_channel.is_closed
        )

    async def publish(self, messages: Sequence[OutgoingMessage]) -> list[BaseException | None]:
        if not self._publish_channel or self._publish_channel.is_closed:
            return [ConnectionError("broker channel is not open")] * len(messages)
        # aiormq's channel, not aio-pika's exchange: aio-pika waits, holding the channel's lock, until each
        # frame is written before the next publish may queue its own — a round of the event loop per
        # message, so a batch of 500 took ~0.3 s while producers kept the loop busy (issue 10). Queued
        # without that wait, the batch's frames go out together; each publish still awaits its confirm.
        channel = await self._publish_channel.get_underlay_channel()
        if not isinstance(channel, aiormq.Channel):  # its abstract base does not declare ``wait``
            raise TypeError(f"unexpected channel {type(channel).__name__}")

        async def one(message: OutgoingMessage) -> None:
            properties = aiormq.spec.Basic.Properties(
                message_id=message.message_id,
                message_type=message.event_type,
                content_type="application/cloudevents+json",
                delivery_mode=PERSISTENT,
                headers=dict(message.headers),
            )
            try:
                # Mandatory where a queue of the topology must take it: no route then means a broken
                # topology, and the event stays in the outbox. An event no service consumes (other
                # platforms may bind their own queues) is published without that demand.
                mandatory = any(route.match(message.routing_key) for route in self._routes)
                await channel.basic_publish(
                    message.body,
                    exchange=EXCHANGE,
                    routing_key=message.routing_key,
                    properties=properties,
                    mandatory=mandatory,
                    timeout=10,
                    wait=False,
                )
            except PublishError as exc:
                raise Unroutable(f"no queue bound for {message.routing_key}") from exc

        # Started a slice at a time: each start marshals its frames without suspending, and 1,500 started
        # in one round of the loop held every request this process serves for ~24 ms (luoshi_kit.loopshare).
        started: list[asyncio.Future[None]] = []
        try:
            for count, message in enumerate(messages, 1):
                started.append(asyncio.ensure_future(one(message)))
                if count % PUBLISH_SLICE == 0:
                    await asyncio.sleep(0)  # these start (and the loop polls its sockets) before the next
        except BaseException:
            for future in started:
                future.cancel()
            raise
        results = await asyncio.gather(*started, return_exceptions=True)
        return [r if isinstance(r, BaseException) else None for r in results]

    async def consume(self, service: str, on_batch: BatchHandler, on_single: SingleHandler) -> None:
        assert self._connection, "start() first"
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=self.prefetch)
        spec = next(s for s in self.specs if s.service == service)
        queue = await channel.declare_queue(spec.name, durable=True, arguments=spec.arguments)
        pending: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        await queue.consume(pending.put)
        self._tasks.append(
            asyncio.create_task(self._work(pending, on_batch, on_single), name=f"consume-{service}")
        )

    async def _work(
        self,
        pending: asyncio.Queue[AbstractIncomingMessage],
        on_batch: BatchHandler,
        on_single: SingleHandler,
    ) -> None:
        while True:
            batch = [await pending.get()]
            if self.linger_seconds > 0 and pending.qsize() < self.batch_size - 1:
                await asyncio.sleep(self.linger_seconds)
            while len(batch) < self.batch_size and not pending.empty():
                batch.append(pending.get_nowait())
            deliveries = [_delivery(m) for m in batch]
            try:
                await on_batch(deliveries)
            except Exception:
                log.warning("batch of %d failed; handling one by one", len(batch), exc_info=True)
            else:
                await _settle(batch[-1].ack(multiple=True))
                continue
            for message, delivery in zip(batch, deliveries, strict=True):
                await self._one(message, delivery, on_single)

    async def _one(
        self, message: AbstractIncomingMessage, delivery: Delivery, on_single: SingleHandler
    ) -> None:
        try:
            await on_single(delivery)
        except PoisonMessage:
            log.error("poison message %s dead-lettered", delivery.message_id)
            await _settle(message.reject(requeue=False))
        except Exception:
            log.exception(
                "handling %s failed (delivery %d)", delivery.message_id, delivery.delivery_count + 1
            )
            # A short pause so a transient cause (a database restart) can pass before the retry.
            await asyncio.sleep(min(0.2 * (delivery.delivery_count + 1), 2.0))
            await _settle(message.nack(requeue=True))
        else:
            await _settle(message.ack())


async def _settle(action: object) -> None:
    """Ack/nack on a connection that has dropped: the broker redelivers, the inbox makes it harmless."""
    try:
        await action  # type: ignore[misc]
    except Exception:
        log.warning("could not settle a delivery; it will be redelivered", exc_info=True)


def _delivery(message: AbstractIncomingMessage) -> Delivery:
    count = message.headers.get("x-delivery-count", 0) if message.headers else 0
    return Delivery(
        message_id=message.message_id or "",
        routing_key=message.routing_key or "",
        body=message.body,
        delivery_count=int(count) if isinstance(count, int | str) else 0,
        event_type=message.type or "",
    )


async def declare_topology(channel: aio_pika.abc.AbstractChannel, specs: list[QueueSpec]) -> None:
    events = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    dlx = await channel.declare_exchange(DEAD_LETTER_EXCHANGE, aio_pika.ExchangeType.DIRECT, durable=True)
    for spec in specs:
        queue = await channel.declare_queue(spec.name, durable=True, arguments=spec.arguments)
        for pattern in spec.patterns:
            await queue.bind(events, pattern)
        dlq = await channel.declare_queue(
            spec.dead_letter_queue, durable=True, arguments={"x-queue-type": "quorum"}
        )
        await dlq.bind(dlx, spec.service)
