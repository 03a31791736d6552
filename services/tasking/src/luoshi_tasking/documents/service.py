"""Document use cases. Keyword-only, never commit: the caller owns the transaction."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from luoshi_kit.db import utcnow
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_proto.divisions import division_parts
from luoshi_tasking.calendar.service import load_calendar
from luoshi_tasking.documents import rules
from luoshi_tasking.documents.models import Document, DocumentRuleSettings, StudyReport, StudySession
from luoshi_tasking.documents.rules import StudyRules, WorkingCalendar
from luoshi_tasking.documents.schemas import (
    DocumentCreate,
    DocumentOut,
    ReportCreate,
    RulesIn,
    RulesOut,
    SessionCreate,
)
from luoshi_tasking.orgs.service import require_known_orgs

RULES_ROW = 1


def in_subtree(column: InstrumentedAttribute[str], scope: str) -> ColumnElement[bool]:
    """SQL for "``column`` lies in the subtree of ``scope``" (see luoshi_proto.divisions.is_within)."""
    if len(scope) > 12:
        return column == scope
    return column.startswith("".join(division_parts(scope)))


async def load_work_calendar(session: AsyncSession) -> WorkingCalendar:
    return await load_calendar(session=session)


async def load_rules(session: AsyncSession) -> StudyRules:
    row = await session.get(DocumentRuleSettings, RULES_ROW)
    if row is None:
        return StudyRules()
    return StudyRules(
        study_working_days=row.study_working_days,
        important_study_working_days=row.important_study_working_days,
        report_working_days=row.report_working_days,
    )


async def get_rules(*, session: AsyncSession) -> RulesOut:
    row = await session.get(DocumentRuleSettings, RULES_ROW)
    if row is None:
        defaults = StudyRules()
        return RulesOut(
            study_working_days=defaults.study_working_days,
            important_study_working_days=defaults.important_study_working_days,
            report_working_days=defaults.report_working_days,
        )
    return RulesOut.model_validate(row, from_attributes=True)


async def update_rules(*, session: AsyncSession, identity: Identity, data: RulesIn) -> RulesOut:
    if not identity.is_province_admin():
        raise Problem(403, "forbidden", "无权修改 Not allowed", "只有省级系统管理员可修改全省学习解读期限")
    row = await session.get(DocumentRuleSettings, RULES_ROW, with_for_update=True)
    if row is None:
        row = DocumentRuleSettings(id=RULES_ROW, **data.model_dump(), updated_by="", updated_org="")
        session.add(row)
    else:
        for key, value in data.model_dump().items():
            setattr(row, key, value)
    row.updated_by, row.updated_org, row.updated_at = identity.person_id, identity.org_code, utcnow()
    await session.flush()
    return RulesOut.model_validate(row, from_attributes=True)


def document_out(doc: Document, *, cal: WorkingCalendar, settings: StudyRules, today: date) -> DocumentOut:
    study_by = rules.study_due(doc.issue_date, doc.especially_important, cal, settings)
    report_by = rules.report_due(doc.session_date, cal, settings) if doc.session_date else None
    status = rules.document_status(
        session_date=doc.session_date,
        reported_on=doc.reported_on,
        study_by=study_by,
        report_by=report_by,
        today=today,
    )
    return DocumentOut(
        id=doc.id,
        title=doc.title,
        issuer_level=doc.issuer_level,
        reference=doc.reference,
        issue_date=doc.issue_date,
        org_code=doc.org_code,
        especially_important=doc.especially_important,
        lead_deputy_id=doc.lead_deputy_id,
        lead_person_id=doc.lead_person_id,
        session_date=doc.session_date,
        reported_on=doc.reported_on,
        study_due=study_by,
        report_due=report_by,
        status=status,
        provisional=cal.is_provisional(report_by or study_by),
        created_by=doc.created_by,
        created_at=doc.created_at,
    )


def _visible(identity: Identity) -> ColumnElement[bool]:
    return in_subtree(Document.org_code, identity.org_code) | (Document.created_org == identity.org_code)


async def register_document(
    *, session: AsyncSession, identity: Identity, data: DocumentCreate, today: date
) -> Document:
    rules.check_can_record(identity, data.org_code)
    rules.check_not_future(data.issue_date, today, "印发日期")
    await require_known_orgs(session=session, codes=[data.org_code])
    doc = Document(
        id=str(uuid.uuid4()),
        **data.model_dump(),
        created_by=identity.person_id,
        created_org=identity.org_code,
        created_at=utcnow(),
    )
    session.add(doc)
    await session.flush()
    return doc


async def list_documents(
    *, session: AsyncSession, identity: Identity, offset: int, limit: int, org: str | None = None
) -> tuple[list[Document], int]:
    query = select(Document).where(_visible(identity))
    if org:
        query = query.where(in_subtree(Document.org_code, org))
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(Document.issue_date.desc(), Document.id).offset(offset).limit(limit)
    return list((await session.scalars(page)).all()), total


async def get_document(
    *, session: AsyncSession, identity: Identity, document_id: str, lock: bool = False
) -> Document:
    query = select(Document).where(Document.id == document_id, _visible(identity))
    doc = await session.scalar(query.with_for_update() if lock else query)
    if doc is None:
        raise Problem(404, "not-found", "文件不存在 Document not found")
    return doc


async def sessions_and_reports(
    *, session: AsyncSession, document_id: str
) -> tuple[list[StudySession], list[StudyReport]]:
    sessions = await session.scalars(
        select(StudySession).where(StudySession.document_id == document_id).order_by(StudySession.held_on)
    )
    reports = await session.scalars(
        select(StudyReport).where(StudyReport.document_id == document_id).order_by(StudyReport.reported_on)
    )
    return list(sessions.all()), list(reports.all())


async def record_session(
    *, session: AsyncSession, identity: Identity, document_id: str, data: SessionCreate, today: date
) -> StudySession:
    doc = await get_document(session=session, identity=identity, document_id=document_id, lock=True)
    rules.check_can_record(identity, doc.org_code)
    rules.check_not_future(data.held_on, today, "学习解读会日期")
    if data.held_on < doc.issue_date:
        raise Problem(
            422,
            "session-before-issue",
            "会议早于印发日期 Session before issue date",
            f"学习解读会日期 {data.held_on} 早于印发日期 {doc.issue_date}",
        )
    row = StudySession(
        id=str(uuid.uuid4()),
        document_id=doc.id,
        **data.model_dump(),
        recorded_by=identity.person_id,
        recorded_org=identity.org_code,
        recorded_at=utcnow(),
    )
    session.add(row)
    if doc.session_date is None or data.held_on < doc.session_date:
        doc.session_date = data.held_on
    await session.flush()
    return row


async def record_report(
    *, session: AsyncSession, identity: Identity, document_id: str, data: ReportCreate, today: date
) -> StudyReport:
    doc = await get_document(session=session, identity=identity, document_id=document_id, lock=True)
    rules.check_can_record(identity, doc.org_code)
    rules.check_not_future(data.reported_on, today, "报告日期")
    if doc.session_date is None:
        raise Problem(
            409,
            "no-session",
            "尚未召开学习解读会 No study session yet",
            "请先登记学习解读会, 再报告学习解读情况",
        )
    if data.reported_on < doc.session_date:
        raise Problem(
            422,
            "report-before-session",
            "报告早于学习解读会 Report before session",
            f"报告日期 {data.reported_on} 早于学习解读会日期 {doc.session_date}",
        )
    row = StudyReport(
        id=str(uuid.uuid4()),
        document_id=doc.id,
        **data.model_dump(),
        recorded_by=identity.person_id,
        recorded_org=identity.org_code,
        recorded_at=utcnow(),
    )
    session.add(row)
    if doc.reported_on is None or data.reported_on < doc.reported_on:
        doc.reported_on = data.reported_on
    await session.flush()
    return row
