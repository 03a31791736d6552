"""Versions of the scoring rules (积分管理办法) added by administrators; version 1 ships in defaults.py."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_scoring.db import Base


class ScoringRule(Base):
    __tablename__ = "scoring_rule"
    __table_args__ = (
        UniqueConstraint("code", "version"),
        Index("ix_scoring_rule_scope_org", "scope_org"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    points: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    per: Mapped[str] = mapped_column(String(20))
    scope_org: Mapped[str | None] = mapped_column(String(15), nullable=True)
    tier: Mapped[str | None] = mapped_column(String(20), nullable=True)
    effective_from: Mapped[date] = mapped_column(Date)
    period_kind: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_org: Mapped[str] = mapped_column(String(15))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
