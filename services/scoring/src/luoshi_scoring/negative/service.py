"""Negative list entries, automatic and by hand, each with its ledger deduction and event. Never commit."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.errors import not_found
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_proto.scoring.v1 import NegativeEntryRef, NegativeListed
from luoshi_proto.tasking.v1 import Actor
from luoshi_scoring.ledger.manual import require_above
from luoshi_scoring.ledger.service import NewEntry, add_entry
from luoshi_scoring.negative.models import NegativeEntry
from luoshi_scoring.negative.schemas import NegativeIn, ReviewIn
from luoshi_scoring.orgs.service import require_known
from luoshi_scoring.periods import quarter_of
from luoshi_scoring.rulebook.rules import basis_text, points_for
from luoshi_scoring.rulebook.service import rule_for

SOURCE = "scoring"
RULE = "negative_listed"


async def add_negative(
    *,
    session: AsyncSession,
    org_code: str,
    day: date,
    basis: str,
    source: str,
    source_key: str,
    task_id: str | None = None,
    source_event_id: str | None = None,
    by: Actor | None = None,
) -> NegativeEntry | None:
    """List ``org_code`` once per source key, deducting per rule ``negative_listed`` (None: listed)."""
    exists = await session.scalar(
        select(NegativeEntry.id).where(
            NegativeEntry.org_code == org_code, NegativeEntry.source_key == source_key
        )
    )
    if exists:
        return None
    entry = NegativeEntry(
        id=str(uuid.uuid4()),
        org_code=org_code,
        period=quarter_of(day),
        task_id=task_id,
        source=source,
        source_key=source_key,
        source_event_id=source_event_id,
        basis=basis,
        listed_on=day,
        created_by=by.person_id if by else None,
        created_at=utcnow(),
    )
    session.add(entry)
    rule = await rule_for(session=session, code=RULE, org_code=org_code, day=day)
    if rule is not None:
        await add_entry(
            session=session,
            entry=NewEntry(
                org_code=org_code,
                period=quarter_of(day) if rule.period_kind == "quarter" else str(day.year),
                kind="rule",
                rule_code=RULE,
                rule_version=rule.version,
                points=points_for(rule, 1),
                basis=basis_text(rule, basis, 1),
                source_key=f"negative:{entry.id}",
                occurred_on=day,
                source_event_id=source_event_id,
                task_id=task_id,
                recorded_by=by.person_id if by else None,
            ),
            by=by,
        )
    add_event(
        session=session,
        source=SOURCE,
        orgcode=org_code,
        subject=entry.id,
        data=NegativeListed(
            entry=NegativeEntryRef(
                entry_id=entry.id, org_code=org_code, period=entry.period, task_id=task_id, basis=basis
            ),
            by=by,
            at=utcnow(),
        ),
    )
    return entry


async def add_by_hand(
    *, session: AsyncSession, identity: Identity, data: NegativeIn, today: date
) -> NegativeEntry:
    require_above(identity, data.org_code)
    await require_known(session=session, code=data.org_code)
    entry = await add_negative(
        session=session,
        org_code=data.org_code,
        day=today,
        basis=data.basis,
        source="manual",
        source_key=f"manual:{uuid.uuid4()}",
        task_id=data.task_id,
        by=Actor(person_id=identity.person_id, org_code=identity.org_code),
    )
    assert entry is not None
    return entry


async def review(
    *, session: AsyncSession, identity: Identity, entry_id: str, data: ReviewIn
) -> NegativeEntry:
    """季度调度: a government above the unit records the quarter's review (the entry itself stays)."""
    entry = await session.get(NegativeEntry, entry_id)
    if entry is None or not identity.can_see(entry.org_code):
        raise not_found("负面清单条目 Negative-list entry")
    require_above(identity, entry.org_code)
    entry.review_outcome, entry.review_note = data.outcome, data.note
    entry.reviewed_by, entry.reviewed_at = identity.person_id, utcnow()
    return entry
