"""Official holiday schedules an administrator loaded (国务院办公厅 节假日安排通知), one year at a time."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_tasking.db import Base


class CalendarYear(Base):
    """A loaded year: its presence makes the year official, even when it lists no days."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True, doc="通知文号")
    updated_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class CalendarDay(Base):
    """One day of a loaded year: ``holiday`` (放假, a weekday off) or ``workday`` (调休上班)."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(10))
