"""Key tasks (重点工作任务)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_tasking.db import Base


class Task(Base):
    __tablename__ = "task"
    __table_args__ = (Index("ix_task_lead_unit_state", "lead_unit", "state"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str | None] = mapped_column(String(200), nullable=True)
    category: Mapped[str | None] = mapped_column(String(100), nullable=True)
    issuing_org: Mapped[str] = mapped_column(String(15), index=True)
    lead_unit: Mapped[str] = mapped_column(String(15))
    co_units: Mapped[list[str]] = mapped_column(JSON, default=list)
    deadline: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), default="assigned")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class TaskEvent(Base):
    """The trace of every change to a task (全程留痕): who, when, from which organisation, why."""

    __tablename__ = "task_event"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_org: Mapped[str] = mapped_column(String(15))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
