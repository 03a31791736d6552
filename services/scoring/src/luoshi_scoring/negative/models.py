"""The negative list (负面清单): key tasks not completed to standard or on time, per unit and quarter.

Each entry counts as a deduction in the target-performance assessment (目标绩效考核): a ledger entry of rule
``negative_listed`` is written with it. Entries are reviewed each quarter (季度调度) and assessed at year end.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_scoring.db import Base


class NegativeEntry(Base):
    __tablename__ = "negative_entry"
    __table_args__ = (
        UniqueConstraint("org_code", "source_key"),
        Index("ix_negative_entry_org_period", "org_code", "period"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_code: Mapped[str] = mapped_column(String(15))
    period: Mapped[str] = mapped_column(String(6))
    task_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source: Mapped[str] = mapped_column(String(30))  # task_overdue | rectification_rejected | manual
    source_key: Mapped[str] = mapped_column(String(160))
    source_event_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    basis: Mapped[str] = mapped_column(Text)
    listed_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    review_outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)  # kept | rectified
    review_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
