"""HTTP routes of incentives (激励) and accountability (问责): recorded by a government above the unit,
seen in the subtree, published on the portal where the decision says so, exported for cadre evaluation."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import Select, select

from luoshi_kit.deps import SessionDep
from luoshi_kit.identity import Identity
from luoshi_kit.orgtree import within_subtree
from luoshi_kit.paging import PageDep, fetch_page
from luoshi_kit.permissions import IdentityDep, require_roles
from luoshi_kit.public import public_caller
from luoshi_kit.scope import require_in_scope
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_scoring.decisions import export, service
from luoshi_scoring.decisions.models import AccountabilityDecision, Incentive
from luoshi_scoring.decisions.schemas import (
    AccountabilityIn,
    AccountabilityOut,
    AccountabilityPage,
    IncentiveIn,
    IncentiveOut,
    IncentivePage,
)
from luoshi_scoring.ledger.manual import SCORING_DENIED, SCORING_ROLES
from luoshi_scoring.orgs.service import names_of
from luoshi_scoring.periods import PERIOD_PATTERN

incentives = APIRouter(prefix="/api/v1/incentives", tags=["incentives 激励"])
accountability = APIRouter(prefix="/api/v1/accountability", tags=["accountability 问责"])
public = APIRouter(prefix="/api/v1/public", tags=["public 公开"], dependencies=[Depends(public_caller)])
Decider = Annotated[Identity, Depends(require_roles(*SCORING_ROLES, detail=SCORING_DENIED))]
OrgQuery = Annotated[str | None, Query(pattern=CODE_PATTERN)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_CAP = 10_000


@incentives.post("", status_code=201, response_model=IncentiveOut, summary="激励 Grant an incentive")
async def grant(body: IncentiveIn, session: SessionDep, identity: Decider) -> IncentiveOut:
    async with session.begin():
        row = await service.grant_incentive(session=session, identity=identity, data=body)
    return IncentiveOut.model_validate(row)


@incentives.get("", response_model=IncentivePage, summary="激励 (本级及下级) Incentives in my subtree")
async def list_incentives(
    session: SessionDep,
    identity: IdentityDep,
    page: PageDep,
    org: OrgQuery = None,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
) -> IncentivePage:
    query = select(Incentive).where(within_subtree(Incentive.org_code, identity.org_code))
    if org:
        require_in_scope(identity, org)
        query = query.where(Incentive.org_code == org)
    if period:
        query = query.where(Incentive.period == period)
    rows, total, estimated = await fetch_page(session, query.order_by(Incentive.granted_at.desc()), page)
    return IncentivePage.of([IncentiveOut.model_validate(r) for r in rows], total, page, estimated=estimated)


@accountability.post("", status_code=201, response_model=AccountabilityOut, summary="问责 Record a decision")
async def decide(body: AccountabilityIn, session: SessionDep, identity: Decider) -> AccountabilityOut:
    async with session.begin():
        row = await service.decide(session=session, identity=identity, data=body)
    return AccountabilityOut.model_validate(row)


def _decisions(identity: Identity, org: str | None) -> Select[AccountabilityDecision]:
    query = select(AccountabilityDecision).where(
        within_subtree(AccountabilityDecision.org_code, identity.org_code)
    )
    if org:
        require_in_scope(identity, org)
        query = query.where(AccountabilityDecision.org_code == org)
    return query.order_by(AccountabilityDecision.decided_at.desc(), AccountabilityDecision.id)


@accountability.get(
    "", response_model=AccountabilityPage, summary="问责 (本级及下级) Decisions in my subtree"
)
async def list_decisions(
    session: SessionDep, identity: IdentityDep, page: PageDep, org: OrgQuery = None
) -> AccountabilityPage:
    rows, total, estimated = await fetch_page(session, _decisions(identity, org), page)
    items = [AccountabilityOut.model_validate(r) for r in rows]
    return AccountabilityPage.of(items, total, page, estimated=estimated)


@accountability.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
    summary="导出问责决定 (干部考核评价依据) Export decisions as .xlsx",
)
async def export_decisions(session: SessionDep, identity: IdentityDep, org: OrgQuery = None) -> Response:
    rows = list((await session.scalars(_decisions(identity, org).limit(EXPORT_CAP))).all())
    names = await names_of(session=session, codes=sorted({r.org_code for r in rows}))
    name = f"问责决定-{org or identity.org_code}.xlsx"
    disposition = f"attachment; filename=\"accountability.xlsx\"; filename*=UTF-8''{quote(name)}"
    return Response(
        export.workbook(rows, names), media_type=XLSX, headers={"Content-Disposition": disposition}
    )


@public.get("/incentives", response_model=IncentivePage, summary="公开的激励 (无需登录) Public incentives")
async def public_incentives(session: SessionDep, page: PageDep, org: OrgQuery = None) -> IncentivePage:
    query = select(Incentive).where(Incentive.public)
    if org:
        query = query.where(Incentive.org_code == org)
    rows, total, estimated = await fetch_page(session, query.order_by(Incentive.granted_at.desc()), page)
    return IncentivePage.of([IncentiveOut.model_validate(r) for r in rows], total, page, estimated=estimated)


@public.get(
    "/accountability", response_model=AccountabilityPage, summary="问责公开曝光 (无需登录) Public decisions"
)
async def public_decisions(session: SessionDep, page: PageDep, org: OrgQuery = None) -> AccountabilityPage:
    query = select(AccountabilityDecision).where(AccountabilityDecision.public)
    if org:
        query = query.where(AccountabilityDecision.org_code == org)
    query = query.order_by(AccountabilityDecision.decided_at.desc(), AccountabilityDecision.id)
    rows, total, estimated = await fetch_page(session, query, page)
    items = [AccountabilityOut.model_validate(r) for r in rows]
    return AccountabilityPage.of(items, total, page, estimated=estimated)
