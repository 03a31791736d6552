"""The points ledger (积分台账): append-only entries, and each unit's standing per period kept beside them.

An entry is never updated or deleted; a correction is a new entry (``kind="correction"``) naming the entry it
corrects, its reason and who approved it. ``standing`` is maintained in the transaction of every entry and can
be recomputed from the entries alone (``ledger/check.py``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_scoring.db import Base


class PointsEntry(Base):
    __tablename__ = "points_entry"
    __table_args__ = (
        # The same occurrence (an event, or e.g. one task's feedback in one quarter) adds nothing twice.
        UniqueConstraint("source_key", "rule_code", "org_code", name="uq_points_entry_occurrence"),
        Index("ix_points_entry_org_period", "org_code", "period", "recorded_at"),
        # A unit's year view (its year's and quarters' entries, newest first) reads this in order and
        # stops at the page instead of collecting five periods' entries and sorting them (issue 12).
        Index("ix_points_entry_org_recorded", "org_code", "recorded_at"),
        Index("ix_points_entry_period", "period"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_code: Mapped[str] = mapped_column(String(15))
    period: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(12))  # rule | manual | correction
    rule_code: Mapped[str] = mapped_column(String(40))  # the rule, or "manual" / "correction"
    rule_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    points: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    basis: Mapped[str] = mapped_column(Text)
    source_key: Mapped[str] = mapped_column(String(160))
    source_event_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source_event_type: Mapped[str | None] = mapped_column(String(120), nullable=True)
    task_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    corrects: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    approved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recorded_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Standing(Base):
    """A unit's figures in one period (a quarter, or a year with its quarters and its yearly items)."""

    __tablename__ = "standing"
    __table_args__ = (Index("ix_standing_period_points", "period", "points"),)

    org_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    period: Mapped[str] = mapped_column(String(6), primary_key=True)
    points: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))
    entries: Mapped[int] = mapped_column(Integer, default=0)
    deductions: Mapped[int] = mapped_column(Integer, default=0)  # entries with negative points
    negative: Mapped[int] = mapped_column(Integer, default=0)  # negative-list entries (负面清单)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
