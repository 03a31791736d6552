"""HTTP routes of inspection exemptions (免督查): granted by a government above the unit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import select

from luoshi_kit.deps import SessionDep
from luoshi_kit.idempotency import IdempotencyKeyDep, idempotent
from luoshi_kit.identity import Identity
from luoshi_kit.orgtree import within_subtree
from luoshi_kit.paging import PageDep, fetch_page
from luoshi_kit.permissions import IdentityDep, require_roles
from luoshi_kit.scope import require_in_scope
from luoshi_kit.timebase import business_today
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_scoring.exemptions import service
from luoshi_scoring.exemptions.models import ExemptionGrant
from luoshi_scoring.exemptions.rules import in_force
from luoshi_scoring.exemptions.schemas import ExemptionIn, ExemptionOut, ExemptionPage
from luoshi_scoring.ledger.manual import SCORING_DENIED, SCORING_ROLES

router = APIRouter(prefix="/api/v1/exemption-grants", tags=["exemption-grants 免督查"])
Granter = Annotated[Identity, Depends(require_roles(*SCORING_ROLES, detail=SCORING_DENIED))]


def _out(row: ExemptionGrant) -> ExemptionOut:
    out = ExemptionOut.model_validate(row)
    out.in_force = in_force(row.starts_on, row.ends_on, business_today())
    return out


@router.post("", status_code=201, response_model=ExemptionOut, summary="免督查 Grant an inspection exemption")
async def grant(
    body: ExemptionIn, request: Request, session: SessionDep, identity: Granter, key: IdempotencyKeyDep
) -> Response:
    async def work() -> ExemptionOut:
        row = await service.grant(session=session, identity=identity, data=body, today=business_today())
        await session.flush()
        return _out(row)

    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=body, status_code=201, work=work
    )


@router.get("", response_model=ExemptionPage, summary="免督查 (本级及下级) Exemptions in my subtree")
async def list_grants(
    session: SessionDep,
    identity: IdentityDep,
    page: PageDep,
    org: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
) -> ExemptionPage:
    query = select(ExemptionGrant).where(within_subtree(ExemptionGrant.org_code, identity.org_code))
    if org:
        require_in_scope(identity, org)
        query = query.where(ExemptionGrant.org_code == org)
    rows, total, estimated = await fetch_page(session, query.order_by(ExemptionGrant.starts_on.desc()), page)
    return ExemptionPage.of([_out(r) for r in rows], total, page, estimated=estimated)
