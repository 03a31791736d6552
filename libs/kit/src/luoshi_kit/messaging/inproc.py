"""The in-process bus of the embedded mode: same topology table, same batch/single contract."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from luoshi_kit.messaging.bus import (
    BatchHandler,
    Delivery,
    OutgoingMessage,
    PoisonMessage,
    SingleHandler,
)
from luoshi_kit.messaging.topology import pattern_to_regex, queue_specs

log = logging.getLogger(__name__)


@dataclass
class _Queue:
    patterns: list[re.Pattern[str]]
    messages: asyncio.Queue[Delivery] = field(default_factory=asyncio.Queue)
    dead: list[Delivery] = field(default_factory=list)


class InProcessBus:
    """One per process, shared by every service hosted in it. Messages live in memory only: the
    outbox keeps an event until it is handed over, so a crash loses at most what was in flight."""

    def __init__(self, *, batch_size: int = 100, delivery_limit: int = 5):
        self.batch_size, self.delivery_limit = batch_size, delivery_limit
        self.queues = {s.service: _Queue([pattern_to_regex(p) for p in s.patterns]) for s in queue_specs()}
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def healthy(self) -> bool:
        return True

    async def publish(self, messages: Sequence[OutgoingMessage]) -> list[BaseException | None]:
        results: list[BaseException | None] = []
        for message in messages:
            targets = [
                q for q in self.queues.values() if any(p.match(message.routing_key) for p in q.patterns)
            ]
            announced = message.event_type
            for queue in targets:
                queue.messages.put_nowait(
                    Delivery(message.message_id, message.routing_key, message.body, event_type=announced)
                )
            # Nobody inside subscribes to it: nothing to deliver, and no error (see AmqpBus.publish).
            results.append(None)
        return results

    async def consume(self, service: str, on_batch: BatchHandler, on_single: SingleHandler) -> None:
        self._tasks.append(asyncio.create_task(self._work(self.queues[service], on_batch, on_single)))

    async def _work(self, queue: _Queue, on_batch: BatchHandler, on_single: SingleHandler) -> None:
        while True:
            batch = [await queue.messages.get()]
            while len(batch) < self.batch_size and not queue.messages.empty():
                batch.append(queue.messages.get_nowait())
            try:
                await on_batch(batch)
                continue
            except Exception:
                log.warning("batch of %d failed; handling one by one", len(batch), exc_info=True)
            for delivery in batch:
                await self._one(queue, delivery, on_single)

    async def _one(self, queue: _Queue, delivery: Delivery, on_single: SingleHandler) -> None:
        while True:
            try:
                await on_single(delivery)
                return
            except PoisonMessage:
                queue.dead.append(delivery)
                return
            except Exception:
                delivery.delivery_count += 1
                log.exception(
                    "handling %s failed (delivery %d)", delivery.message_id, delivery.delivery_count
                )
                if delivery.delivery_count >= self.delivery_limit:
                    queue.dead.append(delivery)
                    return
                await asyncio.sleep(min(0.2 * delivery.delivery_count, 2.0))
