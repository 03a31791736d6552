"""The ledger (台账): per unit and task, the account and its recorded checkpoints."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_tasking.db import Base


class LedgerEntry(Base):
    """One ledger step of a unit for a task: 建账, 对账, 查账, 交账, 周调度, 月自查, 季总结, 销号."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        UniqueConstraint("org_code", "task_id", "kind", "period_label"),
        Index("ix_ledger_entry_task", "task_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_code: Mapped[str] = mapped_column(String(15))
    task_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(20))
    period_label: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
