"""HTTP routes of task changes (任务变更) and deadline extensions (延期申请): thin."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_kit.idempotency import IdempotencyKeyDep, idempotent
from luoshi_tasking.changes import extensions, service
from luoshi_tasking.changes.schemas import (
    ExtensionCreate,
    ExtensionDecision,
    ExtensionList,
    ExtensionOut,
    TaskUpdate,
)
from luoshi_tasking.tasks.schemas import TaskOut
from luoshi_tasking.tasks.status import with_status

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks 重点工作任务"])


@router.patch("/{task_id}", response_model=TaskOut, summary="任务变更 Change a task (issuer, with a reason)")
async def update_task(task_id: str, body: TaskUpdate, session: SessionDep, identity: IdentityDep) -> TaskOut:
    async with session.begin():
        task = await service.update_task(session=session, identity=identity, task_id=task_id, data=body)
    return (await with_status(session=session, tasks=[task]))[0]


@router.post(
    "/{task_id}/extensions",
    status_code=201,
    response_model=ExtensionOut,
    summary="延期申请 Request a later deadline (lead unit)",
)
async def request_extension(
    task_id: str,
    body: ExtensionCreate,
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
    key: IdempotencyKeyDep,
) -> Response:
    async def work() -> ExtensionOut:
        row = await extensions.request_extension(
            session=session, identity=identity, task_id=task_id, data=body
        )
        return ExtensionOut.model_validate(row)

    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=body, status_code=201, work=work
    )


@router.get("/{task_id}/extensions", response_model=ExtensionList, summary="延期申请记录 A task's requests")
async def list_extensions(task_id: str, session: SessionDep, identity: IdentityDep) -> ExtensionList:
    task, rows, limit = await extensions.list_extensions(session=session, identity=identity, task_id=task_id)
    return ExtensionList(
        items=[ExtensionOut.model_validate(r) for r in rows],
        total=len(rows),
        max_extensions=limit,
        approved=task.extension_count or 0,
    )


@router.post(
    "/{task_id}/extensions/{extension_id}/decision",
    response_model=ExtensionOut,
    summary="延期审批 Approve or reject a request (issuer)",
)
async def decide_extension(
    task_id: str, extension_id: str, body: ExtensionDecision, session: SessionDep, identity: IdentityDep
) -> ExtensionOut:
    async with session.begin():
        row = await extensions.decide_extension(
            session=session, identity=identity, task_id=task_id, extension_id=extension_id, data=body
        )
    return ExtensionOut.model_validate(row)
