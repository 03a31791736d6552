"""Filing and listing self-checks, and who has not filed. Keyword-only, never commit."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.scope import require_in_scope
from luoshi_scoring.ledger.service import standing_of
from luoshi_scoring.orgs.models import Org
from luoshi_scoring.orgs.service import children
from luoshi_scoring.selfchecks.models import SelfCheck
from luoshi_scoring.selfchecks.rules import check_filing, kind_of
from luoshi_scoring.selfchecks.schemas import MissingSelfCheck, SelfCheckIn


async def file(*, session: AsyncSession, identity: Identity, data: SelfCheckIn, today: date) -> SelfCheck:
    org = await session.get(Org, identity.org_code)
    if org is None or org.parent_code is None:
        raise Problem(
            422,
            "validation",
            "输入有误 Invalid input",
            "本单位没有上级政府, 无需报送自查 (no government above)",
        )
    standing = await standing_of(session=session, org_code=org.code, period=data.period)
    ledger = standing.points if standing else Decimal("0.00")
    check_filing(
        period=data.period,
        today=today,
        ledger=ledger,
        claimed=data.claimed_points,
        explanation=data.explanation,
    )
    taken = await session.scalar(
        select(SelfCheck.id).where(SelfCheck.org_code == org.code, SelfCheck.period == data.period)
    )
    if taken:
        raise Problem(409, "conflict", "状态冲突 Conflict", f"{data.period} 已报送 (already filed: {taken})")
    row = SelfCheck(
        id=str(uuid.uuid4()),
        org_code=org.code,
        to_org=org.parent_code,
        period=data.period,
        kind=kind_of(data.period),
        ledger_points=ledger,
        claimed_points=data.claimed_points,
        summary=data.summary,
        explanation=data.explanation,
        filed_by=identity.person_id,
    )
    session.add(row)
    await session.flush()
    return row


async def missing(
    *, session: AsyncSession, identity: Identity, scope_org: str, period: str
) -> list[MissingSelfCheck]:
    """The units directly under ``scope_org`` that have not filed ``period`` (flagged 未报送)."""
    require_in_scope(identity, scope_org)
    owing = await children(session=session, parent=scope_org)
    filed = set(
        (
            await session.scalars(
                select(SelfCheck.org_code).where(SelfCheck.to_org == scope_org, SelfCheck.period == period)
            )
        ).all()
    )
    return [
        MissingSelfCheck(org_code=o.code, name=o.name, period=period, kind=kind_of(period))
        for o in owing
        if o.code not in filed
    ]
