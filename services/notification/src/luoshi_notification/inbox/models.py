"""Each person's inbox (站内消息)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_notification.db import Base


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_recipient_created", "recipient_id", "created_at"),
        # The unread count is an index-only count over (recipient, read_at IS NULL): cheap enough to poll.
        Index("ix_notification_recipient_read", "recipient_id", "read_at"),
        # One message per person per event, even if a rule names them twice or the event is redelivered.
        UniqueConstraint("event_id", "recipient_id", name="uq_notification_event_recipient"),
        # The urgent re-send scan: unread urgent messages not yet re-sent.
        Index("ix_notification_urgent_open", "urgent", "escalated_at", "read_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    recipient_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str | None] = mapped_column(String(64), nullable=True)
    org_code: Mapped[str] = mapped_column(String(15))
    event_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    """When the urgent re-send on the next channel was planned (once; None: not yet)."""
