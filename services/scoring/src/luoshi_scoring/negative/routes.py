"""HTTP routes of the negative list (负面清单): a unit sees its own, governments above list and review."""

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
from luoshi_scoring.negative import service
from luoshi_scoring.negative.models import NegativeEntry
from luoshi_scoring.negative.schemas import NegativeIn, NegativeOut, NegativePage, ReviewIn
from luoshi_scoring.periods import PERIOD_PATTERN

router = APIRouter(prefix="/api/v1/negative-list", tags=["negative-list 负面清单"])
Lister = Annotated[
    Identity,
    Depends(
        require_roles(
            "principal", "office", "admin", detail="负面清单由上级主要负责同志、办公厅(室)或管理员管理"
        )
    ),
]


@router.get("", response_model=NegativePage, summary="负面清单 Negative list in my subtree")
async def list_entries(
    session: SessionDep,
    identity: IdentityDep,
    page: PageDep,
    org: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
) -> NegativePage:
    query = select(NegativeEntry).where(within_subtree(NegativeEntry.org_code, identity.org_code))
    if org:
        require_in_scope(identity, org)
        query = query.where(NegativeEntry.org_code == org)
    if period:
        query = query.where(
            NegativeEntry.period == period
            if len(period) == 6
            else NegativeEntry.period.in_([f"{period}Q{q}" for q in range(1, 5)])
        )
    query = query.order_by(NegativeEntry.listed_on.desc(), NegativeEntry.id)
    rows, total, estimated = await fetch_page(session, query, page)
    return NegativePage.of([NegativeOut.model_validate(r) for r in rows], total, page, estimated=estimated)


@router.post("", status_code=201, response_model=NegativeOut, summary="列入负面清单 List a unit by hand")
async def add_entry(
    body: NegativeIn, request: Request, session: SessionDep, identity: Lister, key: IdempotencyKeyDep
) -> Response:
    async def work() -> NegativeOut:
        entry = await service.add_by_hand(
            session=session, identity=identity, data=body, today=business_today()
        )
        await session.flush()
        return NegativeOut.model_validate(entry)

    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=body, status_code=201, work=work
    )


@router.post("/{entry_id}/review", response_model=NegativeOut, summary="季度调度 Review an entry")
async def review_entry(
    entry_id: str, body: ReviewIn, session: SessionDep, identity: IdentityDep
) -> NegativeOut:
    """Who may: as for listing by hand, checked once the entry is found (a guessed id is 404)."""
    async with session.begin():
        entry = await service.review(session=session, identity=identity, entry_id=entry_id, data=body)
    return NegativeOut.model_validate(entry)
