"""Self-checks (自查): each unit's own quarterly account against its ledger, and its year-end points report
(年底积分管理情况报告) to the government above (the provincial office for province departments and cities)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_scoring.db import Base


class SelfCheck(Base):
    __tablename__ = "self_check"
    __table_args__ = (
        UniqueConstraint("org_code", "period"),
        Index("ix_self_check_to_org_period", "to_org", "period"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_code: Mapped[str] = mapped_column(String(15))
    to_org: Mapped[str] = mapped_column(String(15))  # the government it reports to
    period: Mapped[str] = mapped_column(String(6))  # 2026Q4 (quarterly) or 2026 (year-end report)
    kind: Mapped[str] = mapped_column(String(12))  # quarterly | year_end
    ledger_points: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # the ledger's figure when filed
    claimed_points: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # the unit's own account
    summary: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str | None] = mapped_column(Text, nullable=True)
    filed_by: Mapped[str] = mapped_column(String(64))
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
