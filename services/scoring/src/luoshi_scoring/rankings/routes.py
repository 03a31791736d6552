"""HTTP routes of rankings (排名公示): drafts inside the government, approval, publication, public list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import select

from luoshi_kit.deps import SessionDep
from luoshi_kit.errors import not_found
from luoshi_kit.idempotency import IdempotencyKeyDep, idempotent
from luoshi_kit.identity import Identity
from luoshi_kit.orgtree import within_subtree
from luoshi_kit.paging import PageDep, fetch_page
from luoshi_kit.permissions import IdentityDep, require_roles
from luoshi_kit.public import public_caller
from luoshi_kit.timebase import business_today
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_proto.gateway.v1 import OrgLevel
from luoshi_scoring.periods import PERIOD_PATTERN
from luoshi_scoring.rankings import service
from luoshi_scoring.rankings.models import Ranking
from luoshi_scoring.rankings.schemas import (
    PublicRankingPage,
    RankingIn,
    RankingOut,
    RankingPage,
    RankingSummary,
)

router = APIRouter(prefix="/api/v1/rankings", tags=["rankings 排名公示"])
# The public portal (no sign-in): the gateway vouches for the caller's address (luoshi_kit.public).
public_router = APIRouter(
    prefix="/api/v1/public/rankings", tags=["public 公开"], dependencies=[Depends(public_caller)]
)

RANKING_ROLES = ("principal", "deputy", "office", "admin")
Ranker = Annotated[
    Identity,
    Depends(require_roles(*RANKING_ROLES, detail="编制排名需主要负责同志、分管负责同志、办公厅(室)或管理员")),
]
Approver = Annotated[Identity, Depends(require_roles("principal", detail=service.APPROVE_DENIED))]
Publisher = Annotated[
    Identity, Depends(require_roles("principal", "office", "admin", detail=service.PUBLISH_DENIED))
]
Scope = Annotated[str | None, Query(pattern=CODE_PATTERN, description="本级政府")]
Period = Annotated[str | None, Query(pattern=PERIOD_PATTERN, description="考核周期")]


@router.post("", status_code=201, response_model=RankingOut, summary="编制排名草稿 Draft a ranking")
async def create_ranking(
    body: RankingIn, request: Request, session: SessionDep, identity: Ranker, key: IdempotencyKeyDep
) -> Response:
    async def work() -> RankingOut:
        ranking = await service.create(session=session, identity=identity, data=body, today=business_today())
        await session.flush()
        return await service.ranking_out(session=session, ranking=ranking)

    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=body, status_code=201, work=work
    )


@router.get("", response_model=RankingPage, summary="排名 (本级及下级) Rankings in my subtree")
async def list_rankings(
    session: SessionDep,
    identity: IdentityDep,
    page: PageDep,
    scope_org: Scope = None,
    period: Period = None,
    state: Annotated[str | None, Query(pattern="^(draft|approved|published)$")] = None,
) -> RankingPage:
    query = select(Ranking).where(within_subtree(Ranking.scope_org, identity.org_code))
    if scope_org:
        query = query.where(Ranking.scope_org == scope_org)
    if period:
        query = query.where(Ranking.period == period)
    if state:
        query = query.where(Ranking.state == state)
    rows, total, estimated = await fetch_page(
        session, query.order_by(Ranking.period.desc(), Ranking.scope_org, Ranking.tier), page
    )
    return RankingPage.of([RankingSummary.model_validate(r) for r in rows], total, page, estimated=estimated)


@router.get("/{ranking_id}", response_model=RankingOut, summary="排名详情 A ranking")
async def get_ranking(ranking_id: str, session: SessionDep, identity: IdentityDep) -> RankingOut:
    ranking = await service.get_visible(session=session, identity=identity, ranking_id=ranking_id)
    return await service.ranking_out(session=session, ranking=ranking)


@router.post("/{ranking_id}/approve", response_model=RankingOut, summary="批准排名 Approve (principal)")
async def approve_ranking(ranking_id: str, session: SessionDep, identity: IdentityDep) -> RankingOut:
    """Who may: the principal (主要负责同志) of the ranked government, checked once the ranking is found."""
    async with session.begin():
        ranking = await service.approve(session=session, identity=identity, ranking_id=ranking_id)
        return await service.ranking_out(session=session, ranking=ranking)


@router.post(
    "/{ranking_id}/publish", response_model=RankingOut, summary="公示排名 Publish an approved ranking"
)
async def publish_ranking(ranking_id: str, session: SessionDep, identity: IdentityDep) -> RankingOut:
    """Who may: the ranked government's principal, office or administrator, once it is approved."""
    async with session.begin():
        ranking = await service.publish(session=session, identity=identity, ranking_id=ranking_id)
        return await service.ranking_out(session=session, ranking=ranking)


@public_router.get("", response_model=PublicRankingPage, summary="公示的排名 (无需登录) Published rankings")
async def public_rankings(
    session: SessionDep,
    page: PageDep,
    scope_org: Scope = None,
    tier: OrgLevel | None = None,
    period: Period = None,
) -> PublicRankingPage:
    """Published rankings only, newest period first, with the history of earlier periods."""
    query = select(Ranking).where(Ranking.state == "published")
    if scope_org:
        query = query.where(Ranking.scope_org == scope_org)
    if tier:
        query = query.where(Ranking.tier == tier)
    if period:
        query = query.where(Ranking.period == period)
    query = query.order_by(Ranking.period.desc(), Ranking.scope_org, Ranking.tier)
    rows, total, estimated = await fetch_page(session, query, page)
    items = [await service.ranking_out(session=session, ranking=r) for r in rows]
    return PublicRankingPage.of(items, total, page, estimated=estimated)


@public_router.get("/{ranking_id}", response_model=RankingOut, summary="公示的排名详情 A published ranking")
async def public_ranking(ranking_id: str, session: SessionDep) -> RankingOut:
    ranking = await session.get(Ranking, ranking_id)
    if ranking is None or ranking.state != "published":
        raise not_found("排名 Ranking")
    return await service.ranking_out(session=session, ranking=ranking)
