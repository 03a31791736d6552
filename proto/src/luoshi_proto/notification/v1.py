"""Events the notification service publishes (消息送达): a message reached a person over a channel, or could
not. Same shape as every Luoshi event (docs/conventions.md): the entity as a nested reference, ``at``, then
what
is particular to the event; no ``by`` (the system delivers). No address (e-mail, mobile) ever travels in them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from luoshi_proto.divisions import CODE_PATTERN

Channel = Literal["in_app", "email", "sms", "im"]


class MessageRef(BaseModel):
    notification_id: str
    recipient_id: str = Field(description="the person (人员) the message is for")
    org_code: str = Field(pattern=CODE_PATTERN, description="the person's organisation")
    kind: str = Field(description="what it is about, e.g. task.overdue")
    source_event_id: str = Field(description="the event that caused the message")


class MessageEvent(BaseModel):
    """Base of every message event."""

    message: MessageRef


class MessageDelivered(MessageEvent):
    """notification.message.delivered.v1 — the channel accepted the message (送达)."""

    at: datetime
    channel: Channel
    attempts: int = Field(ge=1)
    escalation: bool = Field(default=False, description="the urgent re-send on the next channel")


class MessageFailed(MessageEvent):
    """notification.message.failed.v1 — the last attempt failed (``failed``) or a crash left the outcome
    unknown (``unknown``: never sent again, so a person is not told twice)."""

    at: datetime
    channel: Channel
    attempts: int = Field(ge=0)
    status: Literal["failed", "unknown"]
    error: str
    escalation: bool = False
