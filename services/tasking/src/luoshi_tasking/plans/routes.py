"""HTTP routes of work plans, responsibility letters and dispatch meetings: thin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_kit.idempotency import IdempotencyKeyDep, idempotent
from luoshi_kit.paging import PageDep
from luoshi_kit.timebase import business_today
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_tasking.plans import letters, meetings, service
from luoshi_tasking.plans.rules import MeetingKind
from luoshi_tasking.plans.schemas import (
    GapsOut,
    LetterIn,
    LetterOut,
    LetterPage,
    MeetingIn,
    MeetingOut,
    MeetingPage,
    PlanIn,
    PlanOut,
)

router = APIRouter(prefix="/api/v1")
Year = Annotated[int | None, Query(ge=2000, le=2100)]


@router.get(
    "/tasks/{task_id}/plan",
    response_model=PlanOut,
    tags=["plans 工作方案"],
    summary="挂图作战 Plan chart data",
)
async def get_plan(task_id: str, session: SessionDep, identity: IdentityDep) -> PlanOut:
    return await service.get_plan(session=session, identity=identity, task_id=task_id, today=business_today())


@router.put(
    "/tasks/{task_id}/plan",
    response_model=PlanOut,
    tags=["plans 工作方案"],
    summary="制定工作方案 Set the plan",
)
async def put_plan(task_id: str, body: PlanIn, session: SessionDep, identity: IdentityDep) -> PlanOut:
    async with session.begin():
        await service.put_plan(session=session, identity=identity, task_id=task_id, data=body)
    return await service.get_plan(session=session, identity=identity, task_id=task_id, today=business_today())


@router.post(
    "/responsibility-letters",
    status_code=201,
    response_model=LetterOut,
    tags=["letters 责任书"],
    summary="登记责任书 Record a responsibility letter",
)
async def create_letter(
    body: LetterIn,
    request: Request,
    session: SessionDep,
    identity: letters.LetterSigner,
    key: IdempotencyKeyDep,
) -> Response:
    async def work() -> LetterOut:
        letter = await letters.create_letter(
            session=session, identity=identity, data=body, today=business_today()
        )
        return LetterOut.model_validate(letter)

    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=body, status_code=201, work=work
    )


@router.get(
    "/responsibility-letters", response_model=LetterPage, tags=["letters 责任书"], summary="责任书 Letters"
)
async def list_letters(
    session: SessionDep,
    identity: IdentityDep,
    page: PageDep,
    org: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
    year: Year = None,
) -> LetterPage:
    rows, total = await letters.list_letters(
        session=session, identity=identity, org=org, year=year, offset=page.offset, limit=page.limit
    )
    return LetterPage.of([LetterOut.model_validate(r) for r in rows], total, page)


@router.post(
    "/dispatch-meetings",
    status_code=201,
    response_model=MeetingOut,
    tags=["meetings 调度会"],
    summary="登记调度会 Record a dispatch meeting",
)
async def record_meeting(
    body: MeetingIn, request: Request, session: SessionDep, identity: IdentityDep, key: IdempotencyKeyDep
) -> Response:
    async def work() -> MeetingOut:
        meeting = await meetings.record_meeting(
            session=session, identity=identity, data=body, today=business_today()
        )
        return MeetingOut.model_validate(meeting)

    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=body, status_code=201, work=work
    )


@router.get(
    "/dispatch-meetings", response_model=MeetingPage, tags=["meetings 调度会"], summary="调度会 Meetings"
)
async def list_meetings(
    session: SessionDep,
    identity: IdentityDep,
    page: PageDep,
    org: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
    kind: MeetingKind | None = None,
    year: Year = None,
) -> MeetingPage:
    rows, total = await meetings.list_meetings(
        session=session,
        identity=identity,
        org=org,
        kind=kind,
        year=year,
        offset=page.offset,
        limit=page.limit,
    )
    return MeetingPage.of([MeetingOut.model_validate(r) for r in rows], total, page)


@router.get(
    "/dispatch-meetings/gaps",
    response_model=GapsOut,
    tags=["meetings 调度会"],
    summary="缺少的调度会 Periods missing a required meeting",
)
async def meeting_gaps(
    session: SessionDep,
    identity: IdentityDep,
    org: Annotated[str, Query(pattern=CODE_PATTERN)],
    year: Year = None,
) -> GapsOut:
    today = business_today()
    return await meetings.meeting_gaps(
        session=session, identity=identity, org=org, year=year or today.year, today=today
    )
