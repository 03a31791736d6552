"""The deadline engine's own tables: raised-alert markers and the administrator's rule settings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_tasking.db import Base


class DeadlineAlert(Base):
    """An alert that has been raised: one row per (task, kind, occurrence), so it is raised exactly once.

    The scan inserts with ON CONFLICT DO NOTHING and stages the event only for rows it inserted, in
    the same transaction: the marker and the outbox row commit together or not at all."""

    __tablename__ = "deadline_alert"
    __table_args__ = (
        UniqueConstraint("task_id", "kind", "occurrence", name="uq_deadline_alert_task_kind_occurrence"),
        Index("ix_deadline_alert_raised_at", "raised_at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    task_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(20))  # due_soon | lagging | overdue | report_missing
    occurrence: Mapped[str] = mapped_column(String(20))  # ISO date, or ISO week for lagging
    due: Mapped[date] = mapped_column(Date)
    lead_unit: Mapped[str] = mapped_column(String(15))
    colour: Mapped[str] = mapped_column(String(6))
    provisional: Mapped[bool] = mapped_column(default=False)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class DeadlineRule(Base):
    """One administrator-set rule value (e.g. ``due_soon_working_days``); absent keys use defaults."""

    __tablename__ = "deadline_rule"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class DeadlineScanState(Base):
    """The last full scan: later scans on the same business day, with the same rules and calendar,
    only look at tasks changed since (nothing else can have changed what the rules decide)."""

    __tablename__ = "deadline_scan_state"

    key: Mapped[str] = mapped_column(String(20), primary_key=True)
    business_date: Mapped[date] = mapped_column(Date)
    fingerprint: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
