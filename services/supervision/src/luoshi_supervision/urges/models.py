"""Urges (催办) and supervision orders (督办): one row per urge, and its steps (全程留痕).

An automatic urge is unique per (task, kind, occurrence): the task alert's occurrence (the due date of an
overdue task, the ISO week of a lagging one) identifies it, so two different events about one occurrence
— a redelivery under a new id, a second replica — collapse into one row (INSERT … ON CONFLICT DO NOTHING).
A hand-made urge takes ``manual:<id>`` as its occurrence, so it never collides.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_proto.supervision.v1 import UrgeKind, UrgeRole
from luoshi_supervision.db import Base
from luoshi_supervision.urges.rules import UrgeState


class Urge(Base):
    __tablename__ = "urge"
    __table_args__ = (
        UniqueConstraint("task_id", "kind", "occurrence", name="uq_urge_task_kind_occurrence"),
        Index("ix_urge_org_code", "org_code"),
        Index("ix_urge_issuing_org", "issuing_org"),
        Index("ix_urge_due", "state", "answer_due_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[UrgeKind] = mapped_column(String(10))  # urge 催办 | order 督办
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    task_title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    occurrence: Mapped[str] = mapped_column(String(60))
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    issuing_org: Mapped[str] = mapped_column(String(15))
    org_code: Mapped[str] = mapped_column(String(15))  # 被催办单位
    recipient_role: Mapped[UrgeRole] = mapped_column(String(12))
    level: Mapped[int] = mapped_column(Integer)  # index into rules.CHAIN
    state: Mapped[UrgeState] = mapped_column(String(12), default="open")
    message: Mapped[str] = mapped_column(Text)
    answer_due: Mapped[date] = mapped_column(Date)
    answer_due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    issued_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    answer_reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # 原因
    answer_plan: Mapped[str | None] = mapped_column(Text, nullable=True)  # 整改措施 / 赶进度计划
    answered_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class UrgeStep(Base):
    """One step of an urge: issued, escalated (once per level: the unique key is the last guard), answered,
    closed."""

    __tablename__ = "urge_step"
    __table_args__ = (UniqueConstraint("urge_id", "action", "level", name="uq_urge_step_action_level"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    urge_id: Mapped[str] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(12))  # issued | escalated | answered | closed
    level: Mapped[int] = mapped_column(Integer)
    recipient_role: Mapped[UrgeRole] = mapped_column(String(12))
    actor_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    actor_org: Mapped[str | None] = mapped_column(String(15), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
