"""Inspections (督查) of every kind, their targets, team, trace, evidence, and annual plans (年度督查计划)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_supervision.db import Base


class InspectionPlan(Base):
    """A government's annual inspection plan: the routine inspections of a period."""

    __tablename__ = "inspection_plan"
    __table_args__ = (Index("ix_inspection_plan_org_year", "org_code", "year"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_code: Mapped[str] = mapped_column(String(15))
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Inspection(Base):
    __tablename__ = "inspection"
    __table_args__ = (
        Index("ix_inspection_inspecting_org", "inspecting_org", "planned_start"),
        Index("ix_inspection_state", "state"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    # 督查事项: decision 决策部署 / document 文件 / tasks 重点任务 / theme 专题;
    # subject_key normalises it for overlaps.
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))
    subject_key: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    inspecting_org: Mapped[str] = mapped_column(String(15))
    unannounced: Mapped[bool] = mapped_column(Boolean, default=False)
    plan_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    clue_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    rectification_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    task_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    inspector_units: Mapped[list[str]] = mapped_column(
        JSON, default=list
    )  # 交叉督查: units lending inspectors
    leader_id: Mapped[str | None] = mapped_column(String(64), nullable=True)  # 领导带队
    planned_start: Mapped[date] = mapped_column(Date)
    planned_end: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), default="planned")
    conducted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    conducted_summary: Mapped[str] = mapped_column(Text, default="")
    report: Mapped[str] = mapped_column(Text, default="")
    findings_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
    conducted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class InspectionTarget(Base):
    """One inspected organisation of an inspection (被督查单位)."""

    __tablename__ = "inspection_target"

    inspection_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("inspection.id", ondelete="CASCADE"), primary_key=True
    )
    org_code: Mapped[str] = mapped_column(String(15), primary_key=True, index=True)


class InspectionMember(Base):
    """One member of the team: inspector 督查专员 / leader 带队领导 / representative 两代表一委员 /
    assessor 第三方评估."""

    __tablename__ = "inspection_member"

    inspection_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("inspection.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(20))


class InspectionTrace(Base):
    """The trace of every step of an inspection (全程留痕)."""

    __tablename__ = "inspection_trace"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    inspection_id: Mapped[str] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_org: Mapped[str] = mapped_column(String(15))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Evidence(Base):
    """Evidence of a conducted inspection: a note, or a file kept in the database with its SHA-256."""

    __tablename__ = "inspection_evidence"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    inspection_id: Mapped[str] = mapped_column(String(36), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    filename: Mapped[str | None] = mapped_column(String(200), nullable=True)
    content_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    is_report: Mapped[bool] = mapped_column(Boolean, default=False)  # 第三方评估报告
    created_by: Mapped[str] = mapped_column(String(64))
    created_org: Mapped[str] = mapped_column(String(15))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
