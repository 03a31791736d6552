"""The dashboard's read model of scoring: each unit's points and rank in its newest published ranking."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_gateway.db import Base
from luoshi_kit.db import UtcDateTime


class PublishedStanding(Base):
    """One unit's place in the newest ranking published for it (排名公示), from scoring.ranking.published."""

    __tablename__ = "published_standing"

    org_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    ranking_id: Mapped[str] = mapped_column(String(36))
    scope_org: Mapped[str] = mapped_column(String(15))
    tier: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(6))
    points: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime())
