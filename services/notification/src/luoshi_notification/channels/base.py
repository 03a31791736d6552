"""One interface for every channel (渠道): a message and an address in, an outcome out.

An adapter never raises for a delivery problem: it answers ``Outcome(ok=False, error=…)`` (``permanent``
when a
retry cannot help, e.g. the gateway refused the number). The send worker records each outcome as an attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

CHANNEL_ORDER = ("in_app", "im", "email", "sms")
"""The order an urgent re-send walks: the next channel is the first available one not used yet."""


@dataclass(frozen=True)
class Outgoing:
    notification_id: str
    address: str
    title: str
    body: str


@dataclass(frozen=True)
class Outcome:
    ok: bool
    error: str | None = None
    permanent: bool = False


class Channel(Protocol):
    name: str

    async def send(self, message: Outgoing) -> Outcome: ...


class InAppChannel:
    """The inbox itself: the message row is the delivery (the live stream and the unread count read it)."""

    name = "in_app"

    async def send(self, message: Outgoing) -> Outcome:
        return Outcome(ok=True)
