"""Operator commands for the dead-letter queues: list what is there, replay it to its service."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aio_pika

from luoshi_kit.messaging.topology import queue_specs


@dataclass
class DeadLetter:
    message_id: str
    event_type: str
    routing_key: str
    reason: str
    count: int


def _describe(message: aio_pika.abc.AbstractIncomingMessage) -> DeadLetter:
    deaths: list[dict[str, Any]] = message.headers.get("x-death") or []  # type: ignore[assignment]
    first = deaths[0] if deaths else {}
    keys = first.get("routing-keys") or [message.routing_key or ""]
    return DeadLetter(
        message_id=message.message_id or "",
        event_type=message.type or "",
        routing_key=str(keys[0]),
        reason=str(first.get("reason", "")),
        count=int(first.get("count", 0) or 0),
    )


async def list_dead_letters(amqp_url: str, service: str, limit: int = 1000) -> list[DeadLetter]:
    """Reads without removing: every message is taken and then requeued, so the DLQ is unchanged."""
    spec = next(s for s in queue_specs() if s.service == service)
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        queue = await channel.get_queue(spec.dead_letter_queue)
        taken: list[aio_pika.abc.AbstractIncomingMessage] = []
        while len(taken) < limit and (message := await queue.get(no_ack=False, fail=False)) is not None:
            taken.append(message)
        result = [_describe(m) for m in taken]
        for message in taken:
            await message.nack(requeue=True)
        return result
    finally:
        await connection.close()


async def replay_dead_letters(amqp_url: str, service: str, limit: int = 100000) -> int:
    """Moves dead letters back to the service's own queue (not the exchange: others had them already)."""
    spec = next(s for s in queue_specs() if s.service == service)
    connection = await aio_pika.connect(amqp_url)
    replayed = 0
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        queue = await channel.declare_queue(spec.dead_letter_queue, passive=True)
        # Only what waits now: a letter that fails again comes back to the DLQ while this runs, and taking
        # it again would replay it over and over.
        limit = min(limit, queue.declaration_result.message_count or 0)
        while replayed < limit and (message := await queue.get(no_ack=False, fail=False)) is not None:
            headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-")}
            headers["luoshi-replayed-from"] = json.dumps(_describe(message).__dict__, ensure_ascii=False)
            await channel.default_exchange.publish(
                aio_pika.Message(
                    message.body,
                    message_id=message.message_id,
                    type=message.type,
                    content_type=message.content_type,
                    headers=headers,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=spec.name,
                mandatory=True,
            )
            await message.ack()
            replayed += 1
        return replayed
    finally:
        await connection.close()
