"""Work plans (工作方案, 挂图作战), responsibility letters (责任书) and dispatch meetings (调度会)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_tasking.db import Base


class WorkPlan(Base):
    """One plan per task; replaced as a whole by PUT (its milestones with it)."""

    __tablename__ = "work_plan"

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    owner_person_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    owner_org: Mapped[str] = mapped_column(String(15))
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_org: Mapped[str] = mapped_column(String(15))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Milestone(Base):
    __tablename__ = "work_plan_milestone"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    owner_person_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    owner_org: Mapped[str | None] = mapped_column(String(15), nullable=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)


class ResponsibilityLetter(Base):
    __tablename__ = "responsibility_letter"
    __table_args__ = (Index("ix_responsibility_letter_issuing_year", "issuing_org", "year"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuing_org: Mapped[str] = mapped_column(String(15), doc="发文 (上级政府或本级政府)")
    signing_org: Mapped[str] = mapped_column(String(15), index=True, doc="签订单位 (下级政府或部门)")
    title: Mapped[str] = mapped_column(String(300))
    year: Mapped[int] = mapped_column(Integer)
    targets: Mapped[str] = mapped_column(Text, doc="目标任务")
    signed_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64))
    created_org: Mapped[str] = mapped_column(String(15))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class DispatchMeeting(Base):
    __tablename__ = "dispatch_meeting"
    __table_args__ = (Index("ix_dispatch_meeting_org_kind_held", "org_code", "kind", "held_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_code: Mapped[str] = mapped_column(String(15))
    kind: Mapped[str] = mapped_column(String(10), doc="principal 调度会 / deputy 工作推进会 / unit 工作例会")
    held_on: Mapped[date] = mapped_column(Date)
    convener_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    topic: Mapped[str] = mapped_column(String(300))
    attendees: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_org: Mapped[str] = mapped_column(String(15))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
