"""Inspection exemptions (免督查) granted to units with especially outstanding results, for up to a year.

Supervision enforces them from ``scoring.exemption.granted``; the end is announced by
``scoring.exemption.expired`` once it has passed, computed from the data (``expired_announced_at``), so a
restart or a second replica announces nothing twice."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_scoring.db import Base


class ExemptionGrant(Base):
    __tablename__ = "exemption_grant"
    __table_args__ = (
        Index("ix_exemption_grant_org", "org_code", "ends_on"),
        Index("ix_exemption_grant_pending_expiry", "expired_announced_at", "ends_on"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_code: Mapped[str] = mapped_column(String(15))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # the last exempt day
    basis: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[str] = mapped_column(String(64))
    granted_org: Mapped[str] = mapped_column(String(15))
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expired_announced_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
