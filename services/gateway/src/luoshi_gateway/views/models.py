"""Read models the gateway keeps up to date from events: a task's timeline and its latest state."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_gateway.db import Base
from luoshi_kit.db import UtcDateTime


class TimelineEntry(Base):
    """One thing that happened to a task, from whichever service said so."""

    __tablename__ = "timeline_entry"
    __table_args__ = (Index("ix_timeline_task_at", "task_id", "at"),)

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    event_type: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(60))
    actor_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    org_code: Mapped[str] = mapped_column(String(15))
    summary: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, object]] = mapped_column(JSON)


class TaskView(Base):
    """The latest known state of a task, enough for dashboards and for deciding who may see it."""

    __tablename__ = "task_view"
    __table_args__ = (Index("ix_task_view_lead_unit", "lead_unit"),)

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    issuing_org: Mapped[str] = mapped_column(String(15))
    lead_unit: Mapped[str] = mapped_column(String(15))
    co_units: Mapped[list[str]] = mapped_column(JSON, default=list)
    parent_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    deadline: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20))
    progress_percent: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    lagging: Mapped[bool] = mapped_column(Boolean, default=False)
    completed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OrgSummary(Base):
    """One dashboard figure of one organisation's subtree (see views/summaries.py)."""

    __tablename__ = "org_summary"

    org_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
