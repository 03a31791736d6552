"""Granting exemptions and announcing their end. Keyword-only, never commit."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_proto.scoring.v1 import ExemptionChanged, ExemptionRef
from luoshi_proto.tasking.v1 import Actor
from luoshi_scoring.exemptions.models import ExemptionGrant
from luoshi_scoring.exemptions.rules import check_period
from luoshi_scoring.exemptions.schemas import ExemptionIn
from luoshi_scoring.ledger.manual import require_above
from luoshi_scoring.orgs.service import require_known

SOURCE = "scoring"
EXPIRY_CHUNK = 500


def _ref(row: ExemptionGrant) -> ExemptionRef:
    return ExemptionRef(
        exemption_id=row.id,
        org_code=row.org_code,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        basis=row.basis,
    )


async def grant(
    *, session: AsyncSession, identity: Identity, data: ExemptionIn, today: date
) -> ExemptionGrant:
    require_above(identity, data.org_code)
    await require_known(session=session, code=data.org_code)
    check_period(starts_on=data.starts_on, ends_on=data.ends_on, today=today)
    overlapping = await session.scalar(
        select(ExemptionGrant.id).where(
            ExemptionGrant.org_code == data.org_code,
            ExemptionGrant.starts_on <= data.ends_on,
            ExemptionGrant.ends_on >= data.starts_on,
        )
    )
    if overlapping:
        raise Problem(
            409,
            "conflict",
            "状态冲突 Conflict",
            f"该单位此期间已有免督查 ({overlapping})",
            exemption_id=overlapping,
        )
    now = utcnow()
    row = ExemptionGrant(
        id=str(uuid.uuid4()),
        **data.model_dump(),
        granted_by=identity.person_id,
        granted_org=identity.org_code,
        granted_at=now,
    )
    session.add(row)
    by = Actor(person_id=identity.person_id, org_code=identity.org_code)
    add_event(
        session=session,
        source=SOURCE,
        orgcode=row.org_code,
        subject=row.id,
        event_type="scoring.exemption.granted.v1",
        data=ExemptionChanged(exemption=_ref(row), by=by, at=now),
    )
    return row


async def announce_expired(*, session: AsyncSession, today: date, limit: int = EXPIRY_CHUNK) -> int:
    """Announce the end of every exemption whose last day is before ``today`` and not yet announced."""
    rows = (
        await session.scalars(
            select(ExemptionGrant)
            .where(ExemptionGrant.expired_announced_at.is_(None), ExemptionGrant.ends_on < today)
            .order_by(ExemptionGrant.ends_on)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    now = utcnow()
    for row in rows:
        row.expired_announced_at = now
        add_event(
            session=session,
            source=SOURCE,
            orgcode=row.org_code,
            subject=row.id,
            event_type="scoring.exemption.expired.v1",
            data=ExemptionChanged(exemption=_ref(row), at=now),
        )
    return len(rows)
