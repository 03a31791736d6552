"""Each person's channel preferences, addresses, quiet hours and digest choice (接收设置)."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import JSON, Boolean, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_notification.db import Base


class Preference(Base):
    __tablename__ = "preference"

    person_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Channels besides the inbox (always on): ``email``, ``sms``, ``im``."""
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    mobile: Mapped[str | None] = mapped_column(String(20), nullable=True)
    quiet_start: Mapped[time | None] = mapped_column(Time, nullable=True)
    quiet_end: Mapped[time | None] = mapped_column(Time, nullable=True)
    digest: Mapped[bool] = mapped_column(Boolean, default=False)
    """A daily e-mail digest of unread messages instead of one e-mail each (urgent ones still go at once)."""
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
