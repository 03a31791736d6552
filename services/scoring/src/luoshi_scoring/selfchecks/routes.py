"""HTTP routes of self-checks (自查): a unit files its own; the government above sees who has not."""

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
from luoshi_kit.scope import require_in_scope
from luoshi_kit.timebase import business_today
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_scoring.periods import PERIOD_PATTERN, quarter_of
from luoshi_scoring.selfchecks import service
from luoshi_scoring.selfchecks.models import SelfCheck
from luoshi_scoring.selfchecks.schemas import (
    MissingPage,
    SelfCheckIn,
    SelfCheckOut,
    SelfCheckPage,
)

router = APIRouter(prefix="/api/v1/self-checks", tags=["self-checks 自查"])
FILING_ROLES = ("principal", "deputy", "office", "admin")
Filer = Annotated[
    Identity,
    Depends(
        require_roles(*FILING_ROLES, detail="自查由本单位主要负责同志、分管负责同志、办公室或管理员报送")
    ),
]
Period = Annotated[str | None, Query(pattern=PERIOD_PATTERN)]


@router.post("", status_code=201, response_model=SelfCheckOut, summary="报送自查 File my unit's self-check")
async def file_self_check(
    body: SelfCheckIn, request: Request, session: SessionDep, identity: Filer, key: IdempotencyKeyDep
) -> Response:
    async def work() -> SelfCheckOut:
        row = await service.file(session=session, identity=identity, data=body, today=business_today())
        await session.flush()
        return SelfCheckOut.model_validate(row)

    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=body, status_code=201, work=work
    )


@router.get("", response_model=SelfCheckPage, summary="自查 (本级及下级) Self-checks in my subtree")
async def list_self_checks(
    session: SessionDep,
    identity: IdentityDep,
    page: PageDep,
    org: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
    period: Period = None,
) -> SelfCheckPage:
    query = select(SelfCheck).where(within_subtree(SelfCheck.org_code, identity.org_code))
    if org:
        require_in_scope(identity, org)
        query = query.where(SelfCheck.org_code == org)
    if period:
        query = query.where(SelfCheck.period == period)
    rows, total, estimated = await fetch_page(session, query.order_by(SelfCheck.filed_at.desc()), page)
    return SelfCheckPage.of([SelfCheckOut.model_validate(r) for r in rows], total, page, estimated=estimated)


@router.get("/missing", response_model=MissingPage, summary="未报送自查 Units that have not filed")
async def missing_self_checks(
    session: SessionDep,
    identity: IdentityDep,
    page: PageDep,
    scope_org: Annotated[str | None, Query(pattern=CODE_PATTERN, description="上级政府; 空为本单位")] = None,
    period: Period = None,
) -> MissingPage:
    wanted = period or quarter_of(business_today())
    rows = await service.missing(
        session=session, identity=identity, scope_org=scope_org or identity.org_code, period=wanted
    )
    return MissingPage.of(rows[page.offset : page.offset + page.limit], len(rows), page)


@router.get("/{check_id}", response_model=SelfCheckOut, summary="自查详情 A self-check")
async def get_self_check(check_id: str, session: SessionDep, identity: IdentityDep) -> SelfCheckOut:
    row = await session.get(SelfCheck, check_id)
    if row is None or not identity.can_see(row.org_code):
        raise not_found("自查 Self-check")
    return SelfCheckOut.model_validate(row)
