"""Important documents (重要文件), their study sessions (学习解读会), reports, rules and alert markers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_tasking.db import Base


class Document(Base):
    __tablename__ = "document"
    __table_args__ = (Index("ix_document_org_issue", "org_code", "issue_date"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    issuer_level: Mapped[str] = mapped_column(String(20), doc="党中央 / 国务院 / 国家部委 / 省委")
    reference: Mapped[str] = mapped_column(String(200), doc="文号")
    issue_date: Mapped[date] = mapped_column(Date)
    org_code: Mapped[str] = mapped_column(String(15), doc="牵头承办、须组织学习解读的单位")
    especially_important: Mapped[bool] = mapped_column(Boolean, default=False)
    lead_deputy_id: Mapped[str | None] = mapped_column(String(64), nullable=True, doc="牵头分管负责同志")
    lead_person_id: Mapped[str | None] = mapped_column(String(64), nullable=True, doc="具体负责人")
    # First session and first report, kept here so the scan needs no join.
    session_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    reported_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_org: Mapped[str] = mapped_column(String(15), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class StudySession(Base):
    __tablename__ = "document_session"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    document_id: Mapped[str] = mapped_column(String(36), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    attendees: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_org: Mapped[str] = mapped_column(String(15))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class StudyReport(Base):
    __tablename__ = "document_report"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    document_id: Mapped[str] = mapped_column(String(36), index=True)
    reported_on: Mapped[date] = mapped_column(Date)
    content: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_org: Mapped[str] = mapped_column(String(15))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class DocumentRuleSettings(Base):
    """One row (id 1) of administrator-set numbers; absent means the seed's defaults."""

    __tablename__ = "document_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_working_days: Mapped[int] = mapped_column(Integer)
    important_study_working_days: Mapped[int] = mapped_column(Integer)
    report_working_days: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_org: Mapped[str] = mapped_column(String(15))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class DocumentAlert(Base):
    """An alert raised for a document: at most one per document and kind (the UNIQUE makes it so)."""

    __tablename__ = "document_alert"
    __table_args__ = (UniqueConstraint("document_id", "kind", name="uq_document_alert_document_kind"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    document_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(20), doc="study_due / study_overdue / report_overdue")
    due: Mapped[date] = mapped_column(Date)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
