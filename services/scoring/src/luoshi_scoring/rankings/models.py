"""Rankings (排名公示): a draft per government, tier and period until its principal approves it; the approved
rows are a frozen snapshot that no later entry changes, published on the portal."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_scoring.db import Base


class Ranking(Base):
    __tablename__ = "ranking"
    __table_args__ = (
        UniqueConstraint("scope_org", "tier", "period"),
        Index("ix_ranking_state_period", "state", "period"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    scope_org: Mapped[str] = mapped_column(String(15))  # 本级政府: whose units are ranked
    tier: Mapped[str] = mapped_column(String(20))  # the level of the ranked units
    period: Mapped[str] = mapped_column(String(6))
    state: Mapped[str] = mapped_column(String(12), default="draft")  # draft | approved | published
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    published_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class RankingRow(Base):
    """One unit's place in an approved ranking, as approved (the snapshot)."""

    __tablename__ = "ranking_row"
    __table_args__ = (Index("ix_ranking_row_org", "org_code"),)

    ranking_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)  # order in the list (the tie-break decides)
    rank: Mapped[int] = mapped_column(Integer)  # equal figures share a rank
    points: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    negative: Mapped[int] = mapped_column(Integer)
    deductions: Mapped[int] = mapped_column(Integer)
    entries: Mapped[int] = mapped_column(Integer)
