"""Incentives (激励) for outstanding units and accountability decisions (问责) with what they rest on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_scoring.db import Base


class Incentive(Base):
    __tablename__ = "incentive"
    __table_args__ = (Index("ix_incentive_org_period", "org_code", "period"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_code: Mapped[str] = mapped_column(String(15))
    kind: Mapped[str] = mapped_column(
        String(20)
    )  # funds | project | policy | pilot | demonstration | commendation
    title: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(6))
    basis: Mapped[str] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    granted_by: Mapped[str] = mapped_column(String(64))
    granted_org: Mapped[str] = mapped_column(String(15))
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AccountabilityDecision(Base):
    __tablename__ = "accountability_decision"
    __table_args__ = (Index("ix_accountability_org_decided", "org_code", "decided_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_code: Mapped[str] = mapped_column(String(15))
    finding_id: Mapped[str | None] = mapped_column(String(64), nullable=True)  # 审计/督查发现的问题
    basis: Mapped[str] = mapped_column(Text)
    persons: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # 问责对象: name, position
    decision: Mapped[str] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # 公开曝光
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_org: Mapped[str] = mapped_column(String(15))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
