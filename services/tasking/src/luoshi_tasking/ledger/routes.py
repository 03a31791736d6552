"""Routes of the ledger (台账) of a unit."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_kit.paging import PageDep
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_tasking.ledger import service
from luoshi_tasking.ledger.schemas import EntryCreate, EntryOut, Ledger

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger 台账"])

OrgCode = Annotated[str, Path(pattern=CODE_PATTERN, description="单位代码")]


@router.post(
    "/{org_code}/entries",
    status_code=201,
    response_model=EntryOut,
    summary="记录台账节点 Record a checkpoint",
)
async def record_entry(
    org_code: OrgCode, body: EntryCreate, session: SessionDep, identity: IdentityDep
) -> EntryOut:
    async with session.begin():
        entry = await service.record_entry(session=session, identity=identity, org_code=org_code, data=body)
    return EntryOut.model_validate(entry)


@router.get("/{org_code}", response_model=Ledger, summary="单位台账 A unit's ledger")
async def ledger(
    org_code: OrgCode,
    session: SessionDep,
    identity: IdentityDep,
    page: PageDep,
    as_of: Annotated[date | None, Query(description="按此日期判断当期 (默认今天)")] = None,
) -> Ledger:
    items, total, day = await service.ledger_of(
        session=session,
        identity=identity,
        org_code=org_code,
        offset=page.offset,
        limit=page.limit,
        as_of=as_of,
    )
    return Ledger(
        org_code=org_code, as_of=day, items=items, total=total, offset=page.offset, limit=page.limit
    )
