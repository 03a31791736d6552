"""The 学习解读 deadline scan: raises each document alert exactly once, safe with several replicas.

Exactly once comes from the ``document_alert`` marker: the alert's event is staged in the outbox
only by the transaction whose INSERT of the marker actually inserted a row (ON CONFLICT DO NOTHING).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.messaging.outbox import add_event
from luoshi_proto.tasking.v1 import DocumentRef, DocumentStudyAlert
from luoshi_tasking.documents import rules
from luoshi_tasking.documents.models import Document, DocumentAlert
from luoshi_tasking.documents.rules import WorkingCalendar
from luoshi_tasking.documents.service import load_rules

STUDY_DUE, STUDY_OVERDUE, REPORT_OVERDUE = "study_due", "study_overdue", "report_overdue"


def _no_marker(kind: str) -> Any:
    return ~exists().where(and_(DocumentAlert.document_id == Document.id, DocumentAlert.kind == kind))


async def _claim(session: AsyncSession, document_id: str, kind: str, due: date) -> bool:
    """Insert the marker; True only for the one transaction that inserted it."""
    values = {
        "id": str(uuid.uuid4()),
        "document_id": document_id,
        "kind": kind,
        "due": due,
        "raised_at": utcnow(),
    }
    dialect = session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        raise RuntimeError(f"document scan supports PostgreSQL and SQLite, not {dialect}")
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(DocumentAlert).values(**values).on_conflict_do_nothing(index_elements=["document_id", "kind"])
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def _raise(session: AsyncSession, doc: Document, kind: str, due: date, cal: WorkingCalendar) -> bool:
    if not await _claim(session, doc.id, kind, due):
        return False
    add_event(
        session=session,
        source="tasking",
        orgcode=doc.org_code,
        subject=doc.id,
        event_type=f"tasking.document.{kind}.v1",
        data=DocumentStudyAlert(
            document=DocumentRef(document_id=doc.id, title=doc.title, org_code=doc.org_code),
            due=due,
            stage="report" if kind == REPORT_OVERDUE else "study",
            provisional=cal.is_provisional(due),
        ),
    )
    return True


async def scan_documents(*, session: AsyncSession, today: date, cal: WorkingCalendar) -> int:
    """Raise the alerts that are due on ``today``; returns how many were raised. Never commits.

    study_due on the due day while no session is recorded, study_overdue from the day after,
    report_overdue from the day after the report's due day while no report is recorded.
    """
    settings = await load_rules(session)
    raised = 0
    awaiting_study = select(Document).where(
        Document.session_date.is_(None),
        Document.reported_on.is_(None),
        Document.issue_date <= today,
        _no_marker(STUDY_OVERDUE),
    )
    for doc in (await session.scalars(awaiting_study)).all():
        due = rules.study_due(doc.issue_date, doc.especially_important, cal, settings)
        if today == due:
            raised += await _raise(session, doc, STUDY_DUE, due, cal)
        elif today > due:
            raised += await _raise(session, doc, STUDY_OVERDUE, due, cal)
    awaiting_report = select(Document).where(
        Document.session_date.is_not(None),
        Document.reported_on.is_(None),
        _no_marker(REPORT_OVERDUE),
    )
    for doc in (await session.scalars(awaiting_report)).all():
        assert doc.session_date is not None
        due = rules.report_due(doc.session_date, cal, settings)
        if today > due:
            raised += await _raise(session, doc, REPORT_OVERDUE, due, cal)
    return raised
