"""HTTP routes of public clues (线索): the public intake and lookup (no sign-in, through the gateway's
public portal forwarder), and the office's list, detail and triage."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from luoshi_kit.db import utcnow
from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_kit.paging import PageDep, fetch_page
from luoshi_kit.public import PublicCallerDep
from luoshi_kit.timebase import business_today
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_supervision.clues import service
from luoshi_supervision.clues.rules import ClueReader, ClueState
from luoshi_supervision.clues.schemas import (
    ClueIn,
    ClueLookupIn,
    ClueOut,
    CluePage,
    ClueReceipt,
    ClueStatusOut,
    ClueTriageIn,
)
from luoshi_supervision.config import SupervisionSettings

public_router = APIRouter(prefix="/api/v1/public/clues", tags=["public 公开门户"])
router = APIRouter(prefix="/api/v1/clues", tags=["clues 线索"])


@public_router.post(
    "", status_code=201, response_model=ClueReceipt, summary="提交线索 Report a clue (no sign-in)"
)
async def submit_clue(
    body: ClueIn, request: Request, session: SessionDep, caller: PublicCallerDep
) -> ClueReceipt:
    settings: SupervisionSettings = request.app.state.settings
    async with session.begin():
        clue, secret = await service.receive(
            session=session,
            data=body,
            address=caller.address,
            address_secret=settings.internal_secret,
            per_hour=settings.clue_rate_per_hour,
            today=business_today(),
            now=utcnow(),
        )
    return ClueReceipt(
        receipt_no=clue.receipt_no, secret=secret, status=clue.state, received_at=clue.received_at
    )


@public_router.post(
    "/status",
    response_model=ClueStatusOut,
    summary="查询办理情况 A clue's status by receipt and secret",
    responses={404: {"description": "受理编号或查询码不对 (不透露线索是否存在) No such receipt and secret"}},
)
async def clue_status(body: ClueLookupIn, session: SessionDep, caller: PublicCallerDep) -> ClueStatusOut:
    return await service.lookup(session=session, receipt_no=body.receipt_no, secret=body.secret)


@router.get("", response_model=CluePage, summary="线索清单 Clues handled in my subtree")
async def list_clues(
    session: SessionDep,
    identity: ClueReader,
    page: PageDep,
    org: Annotated[str | None, Query(pattern=CODE_PATTERN, description="受理单位范围")] = None,
    state: ClueState | None = None,
) -> CluePage:
    query = service.list_query(identity=identity, org=org, state=state)
    rows, total, _estimated = await fetch_page(session, query, page)
    return CluePage.of([service.clue_out(c, identity) for c in rows], total, page)


@router.get("/{clue_id}", response_model=ClueOut, summary="线索详情 A clue")
async def get_clue(clue_id: str, session: SessionDep, identity: IdentityDep) -> ClueOut:
    clue = await service.get_clue(session=session, identity=identity, clue_id=clue_id)
    return service.clue_out(clue, identity)


@router.post("/{clue_id}/triage", response_model=ClueOut, summary="研判线索 Triage a clue")
async def triage_clue(
    clue_id: str, body: ClueTriageIn, session: SessionDep, identity: IdentityDep
) -> ClueOut:
    async with session.begin():
        clue = await service.triage(
            session=session, identity=identity, clue_id=clue_id, data=body, now=utcnow()
        )
    return service.clue_out(clue, identity)
