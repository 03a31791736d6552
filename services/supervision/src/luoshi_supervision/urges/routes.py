"""HTTP routes of urges (催办) and supervision orders (督办): thin, the rules live in service and rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_kit.idempotency import IdempotencyKeyDep, idempotent
from luoshi_kit.paging import PageDep
from luoshi_kit.permissions import ProvinceAdmin
from luoshi_kit.timebase import business_today
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_proto.supervision.v1 import UrgeKind
from luoshi_supervision.config import SupervisionSettings
from luoshi_supervision.urges import escalation, service
from luoshi_supervision.urges.models import Urge
from luoshi_supervision.urges.rules import Issuer, UrgeState
from luoshi_supervision.urges.schemas import (
    UrgeAnswerIn,
    UrgeIn,
    UrgeOut,
    UrgePage,
    UrgeScanOut,
    UrgeStepOut,
)

router = APIRouter(prefix="/api/v1", tags=["urges 催办督办"])


async def _out(session: AsyncSession, urge: Urge) -> UrgeOut:
    out = UrgeOut.model_validate(urge)
    out.steps = [
        UrgeStepOut.model_validate(s) for s in await service.steps_of(session=session, urge_id=urge.id)
    ]
    return out


@router.post("/urges", status_code=201, response_model=UrgeOut, summary="催办/督办 Issue an urge or order")
async def issue_urge(
    body: UrgeIn, request: Request, session: SessionDep, identity: Issuer, key: IdempotencyKeyDep
) -> Response:
    async def work() -> UrgeOut:
        urge = await service.issue(
            session=session, identity=identity, data=body, today=business_today(), now=utcnow()
        )
        return await _out(session, urge)

    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=body, status_code=201, work=work
    )


@router.get("/urges", response_model=UrgePage, summary="催办督办清单 Urges and orders in my subtree")
async def list_urges(
    session: SessionDep,
    identity: IdentityDep,
    page: PageDep,
    org: Annotated[str | None, Query(pattern=CODE_PATTERN, description="被催办单位范围")] = None,
    task_id: Annotated[str | None, Query(max_length=36, description="某任务的催办督办")] = None,
    kind: UrgeKind | None = None,
    state: UrgeState | None = None,
) -> UrgePage:
    query = service.list_query(identity=identity, org=org, task_id=task_id, kind=kind, state=state)
    rows, total = await service.list_urges(session=session, query=query, params=page)
    return UrgePage.of([UrgeOut.model_validate(r) for r in rows], total, page)


@router.get("/urges/{urge_id}", response_model=UrgeOut, summary="催办/督办详情 An urge and its steps")
async def get_urge(urge_id: str, session: SessionDep, identity: IdentityDep) -> UrgeOut:
    urge = await service.get_urge(session=session, identity=identity, urge_id=urge_id)
    return await _out(session, urge)


@router.post(
    "/urges/{urge_id}/answer",
    response_model=UrgeOut,
    summary="答复催办/督办 Answer: reason and catch-up plan (原因和整改措施)",
)
async def answer_urge(
    urge_id: str, body: UrgeAnswerIn, session: SessionDep, identity: IdentityDep
) -> UrgeOut:
    async with session.begin():
        urge = await service.answer(
            session=session, identity=identity, urge_id=urge_id, data=body, now=utcnow()
        )
    return await _out(session, urge)


@router.post(
    "/urge-scans", response_model=UrgeScanOut, summary="立即检查逾期未答复 Run the escalation scan now"
)
async def run_urge_scan(request: Request, identity: ProvinceAdmin) -> UrgeScanOut:
    settings: SupervisionSettings = request.app.state.settings
    raised = await escalation.scan_once(request.app.state.sessionmaker, settings)
    return UrgeScanOut(escalated=raised, at=utcnow())
