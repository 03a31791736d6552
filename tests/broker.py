"""Helpers for tests that handle the real broker: reset the topology, stop and restart RabbitMQ."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

import aio_pika

from luoshi_kit.messaging.topology import queue_specs
from luoshi_kit.testing import rabbitmqctl


async def delete_luoshi_queues(amqp_url: str) -> None:
    """Start from an empty topology, so messages left by an earlier run cannot leak into a test."""
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        for spec in queue_specs():
            for name in (spec.name, spec.dead_letter_queue):
                await channel.queue_delete(name)
    finally:
        await connection.close()


@contextmanager
def broker_stopped() -> Iterator[None]:
    """``rabbitmqctl stop_app`` for the body; ``start_app`` afterwards even when the body fails."""
    rabbitmqctl("stop_app")
    try:
        yield
    finally:
        rabbitmqctl("start_app")
        rabbitmqctl("await_startup")


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)
