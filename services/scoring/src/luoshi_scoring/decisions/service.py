"""Recording incentives and accountability decisions with their events. Keyword-only, never commit."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_proto.scoring.v1 import AccountabilityDecided, AccountabilityRef, IncentiveGranted, IncentiveRef
from luoshi_proto.tasking.v1 import Actor
from luoshi_scoring.decisions.models import AccountabilityDecision, Incentive
from luoshi_scoring.decisions.schemas import AccountabilityIn, IncentiveIn
from luoshi_scoring.ledger.manual import require_above
from luoshi_scoring.orgs.service import require_known

SOURCE = "scoring"


def _actor(identity: Identity) -> Actor:
    return Actor(person_id=identity.person_id, org_code=identity.org_code)


async def grant_incentive(*, session: AsyncSession, identity: Identity, data: IncentiveIn) -> Incentive:
    require_above(identity, data.org_code)
    await require_known(session=session, code=data.org_code)
    now = utcnow()
    row = Incentive(
        id=str(uuid.uuid4()),
        **data.model_dump(),
        granted_by=identity.person_id,
        granted_org=identity.org_code,
        granted_at=now,
    )
    session.add(row)
    ref = IncentiveRef(
        incentive_id=row.id, org_code=row.org_code, kind=data.kind, title=row.title, period=row.period
    )
    add_event(
        session=session,
        source=SOURCE,
        orgcode=row.org_code,
        subject=row.id,
        data=IncentiveGranted(incentive=ref, by=_actor(identity), at=now),
    )
    return row


async def decide(
    *, session: AsyncSession, identity: Identity, data: AccountabilityIn
) -> AccountabilityDecision:
    require_above(identity, data.org_code)
    await require_known(session=session, code=data.org_code)
    now = utcnow()
    row = AccountabilityDecision(
        id=str(uuid.uuid4()),
        org_code=data.org_code,
        finding_id=data.finding_id,
        basis=data.basis,
        persons=[p.model_dump() for p in data.persons],
        decision=data.decision,
        public=data.public,
        decided_by=identity.person_id,
        decided_org=identity.org_code,
        decided_at=now,
    )
    session.add(row)
    basis = f"{data.finding_id}: {data.basis}" if data.finding_id else data.basis
    ref = AccountabilityRef(
        decision_id=row.id, org_code=row.org_code, basis=basis, decision=row.decision, public=row.public
    )
    add_event(
        session=session,
        source=SOURCE,
        orgcode=row.org_code,
        subject=row.id,
        data=AccountabilityDecided(decision=ref, by=_actor(identity), at=now),
    )
    return row
