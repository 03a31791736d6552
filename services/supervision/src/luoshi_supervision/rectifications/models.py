"""Findings (问题), rectification items (整改清单) with listed supervision (挂牌督办), the unit's progress
reports and the trace of every step."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_supervision.db import Base


class Finding(Base):
    __tablename__ = "finding"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    inspection_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    org_code: Mapped[str] = mapped_column(String(15), index=True)  # 问题所在单位 (责任单位)
    inspecting_org: Mapped[str] = mapped_column(String(15), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Rectification(Base):
    __tablename__ = "rectification"
    __table_args__ = (
        Index("ix_rectification_unit_state", "responsible_unit", "state"),
        Index("ix_rectification_inspecting_org", "inspecting_org"),
        Index("ix_rectification_state_deadline", "state", "deadline"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    finding_id: Mapped[str] = mapped_column(String(36), unique=True)
    notice_no: Mapped[str] = mapped_column(String(40))  # 整改通知 number
    title: Mapped[str] = mapped_column(String(200))
    responsible_unit: Mapped[str] = mapped_column(String(15))
    inspecting_org: Mapped[str] = mapped_column(String(15))
    inspection_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    leading_leader: Mapped[str] = mapped_column(String(64))  # 整改牵头领导 (person id)
    requirements: Mapped[str] = mapped_column(Text)
    working_days: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), default="rectifying")
    listed: Mapped[bool] = mapped_column(Boolean, default=False)  # 挂牌督办
    listed_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    rejections: Mapped[int] = mapped_column(Integer, default=0)
    overdue_raised_for: Mapped[date | None] = mapped_column(
        Date, nullable=True
    )  # marker: raised once per deadline
    report_cadence_working_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    next_report_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    reinspection_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    submitted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class RectificationReport(Base):
    """The unit's report of rectification progress (整改情况报告), with its evidence."""

    __tablename__ = "rectification_report"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    rectification_id: Mapped[str] = mapped_column(String(36), index=True)
    progress: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    reported_by: Mapped[str] = mapped_column(String(64))
    reported_org: Mapped[str] = mapped_column(String(15))
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class RectificationTrace(Base):
    __tablename__ = "rectification_trace"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    rectification_id: Mapped[str] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_org: Mapped[str] = mapped_column(String(15))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
