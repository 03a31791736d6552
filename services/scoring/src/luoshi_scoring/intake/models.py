"""What scoring remembers of a task between its events (when it was assigned, when it was completed)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime
from luoshi_scoring.db import Base


class TaskFact(Base):
    __tablename__ = "task_fact"

    task_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lead_unit: Mapped[str] = mapped_column(String(15))
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    completed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
