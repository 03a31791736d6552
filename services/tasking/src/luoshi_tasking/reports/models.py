"""Progress reports (落实反馈)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_tasking.db import Base


class ProgressReport(Base):
    """A report on a task: progress, problems met, measures or suggestions (all three required).

    A lead unit's report goes to the issuer and sets the task's progress; a co-unit's report goes to
    the lead unit (``to_lead_unit``), which coordinates the task, and leaves the task's figures alone.
    """

    __tablename__ = "progress_report"
    __table_args__ = (Index("ix_progress_report_task_at", "task_id", "reported_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36))
    reporter_id: Mapped[str] = mapped_column(String(64))
    org_code: Mapped[str] = mapped_column(String(15))
    to_lead_unit: Mapped[bool] = mapped_column(Boolean, default=False)
    progress_percent: Mapped[int] = mapped_column(Integer)
    progress: Mapped[str] = mapped_column(Text)
    problems: Mapped[str] = mapped_column(Text)
    measures: Mapped[str] = mapped_column(Text)
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
