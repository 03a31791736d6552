"""Dispatch meetings (调度会 / 工作推进会 / 工作例会) and the periods missing one. Never commit."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.orgtree import within_subtree
from luoshi_kit.scope import require_in_scope
from luoshi_tasking.orgs.models import Org
from luoshi_tasking.orgs.service import require_known_orgs
from luoshi_tasking.plans import rules
from luoshi_tasking.plans.models import DispatchMeeting
from luoshi_tasking.plans.schemas import CadenceGaps, GapsOut, MeetingIn, PeriodOut

RECORDING_ROLES = ("principal", "deputy", "office", "admin")


async def record_meeting(
    *, session: AsyncSession, identity: Identity, data: MeetingIn, today: date
) -> DispatchMeeting:
    # A handler (具体承办人) may record their unit's weekly 工作例会, not the leaders' meetings.
    allowed = identity.has_any(*RECORDING_ROLES) or (data.kind == "unit" and identity.has_any("handler"))
    if not allowed:
        raise Problem(403, "forbidden", "无权登记 Not allowed", "无权登记该类调度会")
    require_in_scope(identity, data.org_code)
    if data.held_on > today:
        raise Problem(
            422, "date-in-future", "日期晚于今天 Date in the future", f"会议日期 {data.held_on} 晚于今天"
        )
    await require_known_orgs(session=session, codes={data.org_code})
    meeting = DispatchMeeting(
        id=str(uuid.uuid4()),
        **data.model_dump(),
        created_by=identity.person_id,
        created_org=identity.org_code,
        created_at=utcnow(),
    )
    session.add(meeting)
    await session.flush()
    return meeting


async def list_meetings(
    *,
    session: AsyncSession,
    identity: Identity,
    org: str | None,
    kind: str | None,
    year: int | None,
    offset: int,
    limit: int,
) -> tuple[list[DispatchMeeting], int]:
    query = select(DispatchMeeting).where(within_subtree(DispatchMeeting.org_code, identity.org_code))
    require_in_scope(identity, org)
    if org:
        query = query.where(within_subtree(DispatchMeeting.org_code, org))
    if kind:
        query = query.where(DispatchMeeting.kind == kind)
    if year:
        query = query.where(DispatchMeeting.held_on.between(date(year, 1, 1), date(year, 12, 31)))
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(DispatchMeeting.held_on.desc(), DispatchMeeting.id).offset(offset).limit(limit)
    return list((await session.scalars(page)).all()), total


async def meeting_gaps(
    *, session: AsyncSession, identity: Identity, org: str, year: int, today: date
) -> GapsOut:
    if not identity.can_see(org) or await session.get(Org, org) is None:
        raise Problem(404, "not-found", "单位不存在或不可见 Organisation not found")
    rows = (
        await session.execute(
            select(DispatchMeeting.kind, DispatchMeeting.held_on).where(
                DispatchMeeting.org_code == org,
                DispatchMeeting.held_on.between(date(year, 1, 1), min(date(year, 12, 31), today)),
            )
        )
    ).all()
    kinds = []
    for kind, cadence in rules.CADENCE.items():
        held = [held_on for k, held_on in rows if k == kind]
        missing = rules.missing_periods(cadence, held, year=year, today=today)
        kinds.append(
            CadenceGaps(
                kind=kind,
                name=rules.MEETING_NAMES[kind],
                cadence=cadence,
                held=len(held),
                missing=[PeriodOut(label=p.label, start=p.start, end=p.end) for p in missing],
            )
        )
    return GapsOut(org_code=org, year=year, today=today, kinds=kinds)
