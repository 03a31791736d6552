"""Deadline extension requests (延期申请): one row per request, with its decision."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_tasking.db import Base


class TaskExtension(Base):
    """The lead unit asks for a later deadline; the issuer approves or rejects it.

    ``state``: pending → approved | rejected, or withdrawn when the lead unit changes meanwhile."""

    __tablename__ = "task_extension"
    __table_args__ = (Index("ix_task_extension_task", "task_id", "requested_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36))
    state: Mapped[str] = mapped_column(String(12), default="pending")
    reason: Mapped[str] = mapped_column(Text)
    current_deadline: Mapped[date] = mapped_column(Date, doc="the deadline in force when requested")
    requested_deadline: Mapped[date] = mapped_column(Date)
    working_days_added: Mapped[int] = mapped_column(Integer)
    late: Mapped[bool] = mapped_column(Boolean, default=False, doc="requested after the deadline")
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_org: Mapped[str] = mapped_column(String(15))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
