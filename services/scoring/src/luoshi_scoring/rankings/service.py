"""Rankings: drafts from standings, the principal's approval (the snapshot), publication. Never commit."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from luoshi_kit.db import utcnow
from luoshi_kit.errors import Problem, not_found
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_kit.permissions import forbidden
from luoshi_kit.scope import require_in_scope
from luoshi_proto.scoring.v1 import RankingApproved, RankingPublished, RankingRef, Standing
from luoshi_proto.tasking.v1 import Actor
from luoshi_scoring.ledger.models import PointsEntry
from luoshi_scoring.ledger.models import Standing as StandingRow
from luoshi_scoring.orgs.service import names_of, tier_members
from luoshi_scoring.periods import period_bounds
from luoshi_scoring.rankings.models import Ranking, RankingRow
from luoshi_scoring.rankings.rules import Line, Placed, rank, require_state
from luoshi_scoring.rankings.schemas import CorrectionNotice, RankingIn, RankingLine, RankingOut
from luoshi_scoring.rulebook.defaults import CORRECTION

SOURCE = "scoring"
APPROVE_DENIED = "排名须由本级政府主要负责同志批准 Only the principal of this government approves its ranking"
PUBLISH_DENIED = (
    "排名由本级政府主要负责同志、办公厅(室)或管理员公示 Only this government publishes its ranking"
)
FROZEN_STATES = ("approved", "published")
PUBLISHING_ROLES = ("principal", "office", "admin")


def _actor(identity: Identity) -> Actor:
    return Actor(person_id=identity.person_id, org_code=identity.org_code)


def _ref(ranking: Ranking) -> RankingRef:
    return RankingRef(
        ranking_id=ranking.id,
        scope_org=ranking.scope_org,
        tier=ranking.tier,  # type: ignore[arg-type]  # stored from an OrgLevel
        period=ranking.period,
    )


async def create(*, session: AsyncSession, identity: Identity, data: RankingIn, today: date) -> Ranking:
    require_in_scope(identity, data.scope_org)
    if period_bounds(data.period)[0] > today:
        raise Problem(
            422,
            "validation",
            "输入有误 Invalid input",
            f"{data.period} 尚未开始, 不能排名 (the period has not begun)",
        )
    members = await tier_members(session=session, scope_org=data.scope_org, tier=data.tier)
    if not members:
        raise Problem(
            422,
            "validation",
            "输入有误 Invalid input",
            f"{data.scope_org} 下没有 {data.tier} 层级的单位可排名 (no units of this tier)",
        )
    taken = await session.scalar(
        select(Ranking.id).where(
            Ranking.scope_org == data.scope_org, Ranking.tier == data.tier, Ranking.period == data.period
        )
    )
    if taken:
        raise Problem(409, "conflict", "状态冲突 Conflict", f"该周期的排名已存在: {taken}", ranking_id=taken)
    ranking = Ranking(
        id=str(uuid.uuid4()),
        scope_org=data.scope_org,
        tier=data.tier,
        period=data.period,
        state="draft",
        created_by=identity.person_id,
        created_at=utcnow(),
    )
    session.add(ranking)
    await session.flush()
    return ranking


async def get_visible(*, session: AsyncSession, identity: Identity, ranking_id: str) -> Ranking:
    """A ranking inside the caller's subtree (a draft is seen only there; a published one also publicly)."""
    ranking = await session.get(Ranking, ranking_id)
    if ranking is None or not identity.can_see(ranking.scope_org):
        raise not_found("排名 Ranking")
    return ranking


async def live_lines(*, session: AsyncSession, ranking: Ranking) -> list[Placed]:
    """The draft's order from today's standings (every unit of the tier, with or without entries)."""
    members = await tier_members(session=session, scope_org=ranking.scope_org, tier=ranking.tier)
    codes = [m.code for m in members]
    standings = {
        s.org_code: s
        for s in (
            await session.scalars(
                select(StandingRow).where(
                    StandingRow.period == ranking.period, StandingRow.org_code.in_(codes)
                )
            )
        ).all()
    }
    lines = []
    for member in members:
        s = standings.get(member.code)
        lines.append(
            Line(
                org_code=member.code,
                name=member.name,
                points=s.points if s else Decimal("0.00"),
                negative=s.negative if s else 0,
                deductions=s.deductions if s else 0,
                entries=s.entries if s else 0,
            )
        )
    return rank(lines)


async def frozen_lines(*, session: AsyncSession, ranking: Ranking) -> list[RankingLine]:
    rows = (
        await session.scalars(
            select(RankingRow).where(RankingRow.ranking_id == ranking.id).order_by(RankingRow.position)
        )
    ).all()
    return [
        RankingLine(
            org_code=r.org_code,
            name=r.name,
            position=r.position,
            rank=r.rank,
            points=r.points,
            negative=r.negative,
            deductions=r.deductions,
            entries=r.entries,
        )
        for r in rows
    ]


def _line(p: Placed) -> RankingLine:
    return RankingLine(
        org_code=p.line.org_code,
        name=p.line.name,
        position=p.position,
        rank=p.rank,
        points=p.line.points,
        negative=p.line.negative,
        deductions=p.line.deductions,
        entries=p.line.entries,
    )


async def approve(*, session: AsyncSession, identity: Identity, ranking_id: str) -> Ranking:
    """经本级政府主要负责同志批准: the principal of the ranked government freezes today's order."""
    ranking = await get_visible(session=session, identity=identity, ranking_id=ranking_id)
    if identity.org_code != ranking.scope_org or not identity.has_any("principal"):
        raise forbidden(APPROVE_DENIED)
    require_state(ranking.state, "draft", "approve")
    now = utcnow()
    for placed in await live_lines(session=session, ranking=ranking):
        line = placed.line
        session.add(
            RankingRow(
                ranking_id=ranking.id,
                org_code=line.org_code,
                name=line.name,
                position=placed.position,
                rank=placed.rank,
                points=line.points,
                negative=line.negative,
                deductions=line.deductions,
                entries=line.entries,
            )
        )
    ranking.state, ranking.approved_by, ranking.approved_at = "approved", identity.person_id, now
    add_event(
        session=session,
        source=SOURCE,
        orgcode=ranking.scope_org,
        subject=ranking.id,
        data=RankingApproved(ranking=_ref(ranking), by=_actor(identity), at=now),
    )
    return ranking


async def publish(*, session: AsyncSession, identity: Identity, ranking_id: str) -> Ranking:
    """排名公示: only an approved ranking, by its own government; the approved rows are what is shown."""
    ranking = await get_visible(session=session, identity=identity, ranking_id=ranking_id)
    if identity.org_code != ranking.scope_org or not identity.has_any(*PUBLISHING_ROLES):
        raise forbidden(PUBLISH_DENIED)
    require_state(ranking.state, "approved", "publish")
    now = utcnow()
    ranking.state, ranking.published_by, ranking.published_at = "published", identity.person_id, now
    lines = await frozen_lines(session=session, ranking=ranking)
    standings = [Standing(org_code=x.org_code, points=float(x.points), rank=x.rank) for x in lines]
    add_event(
        session=session,
        source=SOURCE,
        orgcode=ranking.scope_org,
        subject=ranking.id,
        data=RankingPublished(ranking=_ref(ranking), by=_actor(identity), at=now, standings=standings),
    )
    return ranking


async def corrections_since(*, session: AsyncSession, ranking: Ranking) -> list[CorrectionNotice]:
    """Corrections of this period's entries of the ranked units made after approval (更正说明)."""
    if ranking.approved_at is None:
        return []
    original = aliased(PointsEntry)
    query = (
        select(PointsEntry)
        .join(original, original.id == PointsEntry.corrects)
        .join(RankingRow, and_(RankingRow.ranking_id == ranking.id, RankingRow.org_code == original.org_code))
        .where(
            PointsEntry.rule_code == CORRECTION,
            original.period == ranking.period,
            PointsEntry.recorded_at >= ranking.approved_at,
        )
        .order_by(PointsEntry.recorded_at)
    )
    return [
        CorrectionNotice(
            entry_id=e.id,
            corrects=e.corrects or "",
            org_code=e.org_code,
            points=e.points,
            reason=e.reason,
            recorded_at=e.recorded_at,
            counted_in=e.period,
        )
        for e in (await session.scalars(query)).all()
    ]


async def ranking_out(*, session: AsyncSession, ranking: Ranking) -> RankingOut:
    frozen = ranking.state in FROZEN_STATES
    lines = (
        await frozen_lines(session=session, ranking=ranking)
        if frozen
        else [_line(p) for p in await live_lines(session=session, ranking=ranking)]
    )
    names = await names_of(session=session, codes=[ranking.scope_org])
    return RankingOut(
        id=ranking.id,
        scope_org=ranking.scope_org,
        scope_name=names.get(ranking.scope_org),
        tier=ranking.tier,
        period=ranking.period,
        state=ranking.state,
        created_at=ranking.created_at,
        approved_by=ranking.approved_by,
        approved_at=ranking.approved_at,
        published_at=ranking.published_at,
        frozen=frozen,
        lines=lines,
        corrections=await corrections_since(session=session, ranking=ranking),
    )


async def is_frozen(*, session: AsyncSession, org_code: str, period: str) -> bool:
    """Has an approved ranking fixed this unit's figures of this period?"""
    query = select(
        exists().where(
            RankingRow.org_code == org_code,
            RankingRow.ranking_id == Ranking.id,
            Ranking.period == period,
            Ranking.state.in_(FROZEN_STATES),
        )
    )
    return bool(await session.scalar(query))
