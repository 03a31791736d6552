"""Exemptions from inspection (免督查) granted by scoring, kept locally from its events."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime
from luoshi_supervision.db import Base


class Exemption(Base):
    __tablename__ = "exemption"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # scoring's exemption_id
    org_code: Mapped[str] = mapped_column(String(15), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    basis: Mapped[str] = mapped_column(Text, default="")
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)  # expired before ends_on
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime())  # the newest event applied
