"""HTTP routes of tasks: thin, the rules live in service.py and rules.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_tasking.tasks import service
from luoshi_tasking.tasks.schemas import TaskCreate, TaskOut, TaskPage

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks 重点工作任务"])


@router.post("", status_code=201, response_model=TaskOut, summary="交办任务 Create and assign a task")
async def create_task(body: TaskCreate, session: SessionDep, identity: IdentityDep) -> TaskOut:
    async with session.begin():
        task = await service.create_task(session=session, identity=identity, data=body)
    return TaskOut.model_validate(task)


@router.get("", response_model=TaskPage, summary="任务清单 List tasks in my subtree")
async def list_tasks(
    session: SessionDep,
    identity: IdentityDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    state: str | None = None,
) -> TaskPage:
    rows, total = await service.list_tasks(
        session=session, identity=identity, offset=offset, limit=limit, state=state
    )
    return TaskPage(items=[TaskOut.model_validate(r) for r in rows], total=total, offset=offset, limit=limit)


@router.get("/{task_id}", response_model=TaskOut, summary="任务详情 A task")
async def get_task(task_id: str, session: SessionDep, identity: IdentityDep) -> TaskOut:
    return TaskOut.model_validate(await service.get_task(session=session, identity=identity, task_id=task_id))
