"""Key tasks (重点工作任务), their decomposition tree, and the trace of every change."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_tasking.db import Base
from luoshi_tasking.tasks.schemas import SourceLevel


class Task(Base):
    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_lead_unit_state", "lead_unit", "state"),
        Index("ix_task_state_deadline", "state", "deadline"),
        Index("ix_task_parent", "parent_id"),
        Index("ix_task_updated_at", "updated_at"),  # the same-day incremental deadline scan
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # 来源: 党中央 / 国务院 / 国家部委 / 省委 / 省政府 / 市委 … and the document's reference (文号).
    source: Mapped[str | None] = mapped_column(String(200), nullable=True)
    source_level: Mapped[SourceLevel | None] = mapped_column(String(40), nullable=True)
    source_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    category: Mapped[str | None] = mapped_column(String(100), nullable=True)
    issuing_org: Mapped[str] = mapped_column(String(15), index=True)
    lead_unit: Mapped[str] = mapped_column(String(15))
    co_units: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Responsible persons (person ids from the gateway): 主要负责同志 / 分管负责同志 / 具体承办人.
    principal_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    deputy_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    handler_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    deadline: Mapped[date] = mapped_column(Date)  # in force: an approved extension moves it
    # 延期: the deadline as first assigned (kept for assessment) and how many extensions were approved.
    original_deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    # 任务性质 (seed 三): medium_long 中长期 / yearly 年度 / phased 阶段性 / special_phased 特别重要阶段性.
    nature: Mapped[str | None] = mapped_column(String(20), nullable=True)
    required_progress: Mapped[str] = mapped_column(Text, default="", doc="工作进度要求 per period")
    measures: Mapped[str] = mapped_column(Text, default="", doc="工作措施")
    # Decomposition (分解): the parent task and the period this subtask covers.
    parent_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    period_kind: Mapped[str | None] = mapped_column(String(10), nullable=True)  # year|quarter|month|week
    period_label: Mapped[str | None] = mapped_column(String(40), nullable=True)  # e.g. 2027Q2
    # Report cadence: explicit report due dates set by the issuer, else quarterly (see reports rules).
    report_due_dates: Mapped[list[str]] = mapped_column(JSON, default=list)
    progress_percent: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(20), default="assigned")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_report_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class TaskEvent(Base):
    """The trace of every change to a task (全程留痕): who, when, from which organisation, why."""

    __tablename__ = "task_event"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_org: Mapped[str] = mapped_column(String(15))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class CoUnitConfirmation(Base):
    """A co-unit confirmed its part of a task (协办确认); one row per task and co-unit."""

    __tablename__ = "task_co_unit_confirmation"
    __table_args__ = (UniqueConstraint("task_id", "org_code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), index=True)
    org_code: Mapped[str] = mapped_column(String(15))
    confirmed_by: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    confirmed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class TaskScope(Base):
    """The subtrees a task is visible in: one row per (task, scope) for every scope whose subtree
    holds its lead unit, a co-unit or its issuing organisation (see ``scopes.py``), carrying the
    task's sort and filter keys so a list page is one index range scan at any tier.

    Written by the mapper hooks in ``scopes.py`` whenever a task is inserted or its units, state,
    deadline or creation time change, so every path (create, subtasks, import, reassign, steps)
    keeps it in step."""

    __tablename__ = "task_scope"
    __table_args__ = (
        Index(
            "ix_task_scope_deadline",
            "scope",
            "deadline",
            "created_at",
            "task_id",
            postgresql_include=["state"],
        ),
        Index("ix_task_scope_created_at", "scope", "created_at", "task_id", postgresql_include=["state"]),
    )

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    scope: Mapped[str] = mapped_column(String(15), primary_key=True)  # see scopes.scope_key
    deadline: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    state: Mapped[str] = mapped_column(String(20))


from luoshi_tasking.tasks import scopes as _scopes  # noqa: E402,F401  (registers the task_scope hooks)
