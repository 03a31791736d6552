"""HTTP routes of a task's lifecycle: acceptance, decomposition, completion and review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_kit.idempotency import IdempotencyKeyDep, idempotent
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_tasking.tasks import acceptance, review, subtasks
from luoshi_tasking.tasks.schemas import (
    CoUnitConfirmationOut,
    DecompositionProposal,
    Note,
    Reason,
    Reassign,
    Review,
    SubtasksCreate,
    TaskOut,
)
from luoshi_tasking.tasks.status import task_out, with_status

router = APIRouter()


def _note(body: Note | None) -> str | None:
    return body.note if body else None


@router.post("/{task_id}/accept", response_model=TaskOut, summary="签收 Accept")
async def accept(
    task_id: str, session: SessionDep, identity: IdentityDep, body: Note | None = None
) -> TaskOut:
    async with session.begin():
        task = await acceptance.accept(session=session, identity=identity, task_id=task_id, note=_note(body))
    return await task_out(session=session, task=task)


@router.post("/{task_id}/return", response_model=TaskOut, summary="退回 Return with a reason")
async def return_task(task_id: str, body: Reason, session: SessionDep, identity: IdentityDep) -> TaskOut:
    async with session.begin():
        task = await acceptance.return_task(
            session=session, identity=identity, task_id=task_id, reason=body.reason
        )
    return await task_out(session=session, task=task)


@router.post("/{task_id}/reassign", response_model=TaskOut, summary="重新交办 Reassign a returned task")
async def reassign(task_id: str, body: Reassign, session: SessionDep, identity: IdentityDep) -> TaskOut:
    async with session.begin():
        task = await acceptance.reassign(session=session, identity=identity, task_id=task_id, data=body)
    return await task_out(session=session, task=task)


@router.post("/{task_id}/cancel", response_model=TaskOut, summary="撤销 Cancel")
async def cancel(task_id: str, body: Reason, session: SessionDep, identity: IdentityDep) -> TaskOut:
    async with session.begin():
        task = await acceptance.cancel(
            session=session, identity=identity, task_id=task_id, reason=body.reason
        )
    return await task_out(session=session, task=task)


@router.get(
    "/{task_id}/co-units", response_model=list[CoUnitConfirmationOut], summary="协办单位确认情况 Co-units"
)
async def co_units(task_id: str, session: SessionDep, identity: IdentityDep) -> list[CoUnitConfirmationOut]:
    return await acceptance.co_unit_status(session=session, identity=identity, task_id=task_id)


@router.post(
    "/{task_id}/co-units/{code}/confirm",
    status_code=201,
    response_model=CoUnitConfirmationOut,
    summary="协办确认 A co-unit confirms its part",
)
async def confirm_co_unit(
    task_id: str,
    code: Annotated[str, Path(pattern=CODE_PATTERN)],
    session: SessionDep,
    identity: IdentityDep,
    body: Note | None = None,
) -> CoUnitConfirmationOut:
    async with session.begin():
        row = await acceptance.confirm_co_unit(
            session=session, identity=identity, task_id=task_id, org_code=code, note=_note(body)
        )
    return CoUnitConfirmationOut(
        org_code=row.org_code,
        confirmed=True,
        confirmed_by=row.confirmed_by,
        confirmed_at=row.confirmed_at,
        note=row.note,
    )


@router.get(
    "/{task_id}/decomposition/proposal",
    response_model=DecompositionProposal,
    summary="分解建议 Proposed periods",
)
async def decomposition_proposal(
    task_id: str,
    session: SessionDep,
    identity: IdentityDep,
    kind: Annotated[
        str | None,
        Query(
            pattern="^(medium_long|long_term|yearly|phased|special_phased|key_phased|year|quarter|month|week)$",
            description="不填则按任务性质 (nature). medium_long 中长期→年, yearly 年度→季, phased 阶段性→月, "
            "special_phased 特别重要→周; 或直接给出 year/quarter/month/week",
        ),
    ] = None,
) -> DecompositionProposal:
    return await subtasks.proposal(session=session, identity=identity, task_id=task_id, kind=kind)


@router.post(
    "/{task_id}/subtasks", status_code=201, response_model=list[TaskOut], summary="分解 Create subtasks"
)
async def create_subtasks(
    task_id: str,
    body: SubtasksCreate,
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
    key: IdempotencyKeyDep,
) -> Response:
    async def work() -> list[TaskOut]:
        rows = await subtasks.create_subtasks(
            session=session, identity=identity, task_id=task_id, items=body.items
        )
        return await with_status(session=session, tasks=rows)

    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=body, status_code=201, work=work
    )


@router.post("/{task_id}/complete", response_model=TaskOut, summary="报请复核 Declare done")
async def complete(
    task_id: str, session: SessionDep, identity: IdentityDep, body: Note | None = None
) -> TaskOut:
    async with session.begin():
        task = await review.complete(session=session, identity=identity, task_id=task_id, note=_note(body))
    return await task_out(session=session, task=task)


@router.post("/{task_id}/review", response_model=TaskOut, summary="复核 Approve (销号) or reject")
async def review_task(task_id: str, body: Review, session: SessionDep, identity: IdentityDep) -> TaskOut:
    async with session.begin():
        task = await review.review(session=session, identity=identity, task_id=task_id, data=body)
    return await task_out(session=session, task=task)


@router.post("/{task_id}/archive", response_model=TaskOut, summary="办结归档 Archive")
async def archive(
    task_id: str, session: SessionDep, identity: IdentityDep, body: Note | None = None
) -> TaskOut:
    async with session.begin():
        task = await review.archive(session=session, identity=identity, task_id=task_id, note=_note(body))
    return await task_out(session=session, task=task)
