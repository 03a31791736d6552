"""Raised inspection frequency (增加督查频次) of a unit whose rectification was rejected or overdue."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_supervision.db import Base


class UnitFrequency(Base):
    __tablename__ = "unit_frequency"

    org_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    raised_until: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    rectification_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
