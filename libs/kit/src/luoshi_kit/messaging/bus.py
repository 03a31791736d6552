"""The bus interface: RabbitMQ in production, in-process in the embedded mode."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol


class Unroutable(Exception):
    """The broker had no queue for the routing key: an error, never a silent loss."""


class PoisonMessage(Exception):
    """The message can never be handled (malformed): dead-letter it without retrying."""


@dataclass
class OutgoingMessage:
    message_id: str
    event_type: str
    routing_key: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Delivery:
    message_id: str
    routing_key: str
    body: bytes
    delivery_count: int = 0
    event_type: str = ""
    """The type the publisher announced (AMQP ``type``; the relay sets it from the outbox row): lets the
    consumer skip an event it has no handler for, and parse the others once, as their own type."""


BatchHandler = Callable[[Sequence[Delivery]], Awaitable[None]]
"""Handles a batch in one transaction; raising means none of the batch counts as handled."""

SingleHandler = Callable[[Delivery], Awaitable[None]]


class Bus(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def publish(self, messages: Sequence[OutgoingMessage]) -> list[BaseException | None]:
        """Publish with confirms; one result per message: None when the broker confirmed it."""
        ...

    async def consume(self, service: str, on_batch: BatchHandler, on_single: SingleHandler) -> None:
        """Start delivering ``service``'s queue; a batch that fails is retried one by one."""
        ...

    async def healthy(self) -> bool: ...
