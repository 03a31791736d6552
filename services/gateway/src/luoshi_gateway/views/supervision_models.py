"""Read models of supervision for the dashboards: each rectification item's latest state (open items,
listed supervision 挂牌督办) and the representatives' inspections (两代表一委员) per government and year."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_gateway.db import Base
from luoshi_kit.db import UtcDateTime


class RectificationView(Base):
    __tablename__ = "rectification_view"
    __table_args__ = (Index("ix_rectification_view_unit", "responsible_unit", "state"),)

    rectification_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    responsible_unit: Mapped[str] = mapped_column(String(15))
    inspecting_org: Mapped[str] = mapped_column(String(15))
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    deadline: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20))  # open / verified
    listed: Mapped[bool] = mapped_column(Boolean, default=False)
    listed_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RepresentativesInspection(Base):
    """One 两代表一委员 inspection a government scheduled (from supervision.inspection.scheduled)."""

    __tablename__ = "representatives_inspection"
    __table_args__ = (Index("ix_representatives_inspection_org_year", "org_code", "year"),)

    inspection_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_code: Mapped[str] = mapped_column(String(15))
    year: Mapped[int] = mapped_column(Integer)
