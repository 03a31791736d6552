"""HTTP routes of tasks: thin, the rules live in the use-case modules."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from luoshi_kit.db import autocommit
from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_kit.idempotency import IdempotencyKeyDep
from luoshi_kit.paging import PageDep
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_tasking.tasks import service
from luoshi_tasking.tasks.creating import create_answer
from luoshi_tasking.tasks.flow_routes import router as flow_router
from luoshi_tasking.tasks.listing import answer_page
from luoshi_tasking.tasks.schemas import COUNT_CAP, TaskCreate, TaskEventOut, TaskOut, TaskPage
from luoshi_tasking.tasks.service import Sort
from luoshi_tasking.tasks.state_machine import STATES
from luoshi_tasking.tasks.status import task_out

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks 重点工作任务"])
StateName = Annotated[str, Query(pattern="^(" + "|".join(STATES) + ")$")]


# Its everyday request (JSON, no Idempotency-Key) is answered ahead of routing: tasks/creating.py.
@router.post("", status_code=201, response_model=TaskOut, summary="交办任务 Create and assign a task")
async def create_task(
    body: TaskCreate, request: Request, session: SessionDep, identity: IdentityDep, key: IdempotencyKeyDep
) -> Response:
    return await create_answer(request=request, session=session, identity=identity, key=key, body=body)


# Its everyday request (only limit, offset, sort, total) is answered ahead of routing: tasks/listing.py.
@router.get("", response_model=TaskPage, summary="任务清单 List tasks in my subtree")
async def list_tasks(
    session: SessionDep,
    identity: IdentityDep,
    page: PageDep,
    state: Annotated[list[StateName] | None, Query(description="状态, 可多选")] = None,
    org: Annotated[str | None, Query(pattern=CODE_PATTERN, description="只看此单位范围")] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    deadline_from: date | None = None,
    deadline_to: date | None = None,
    overdue: Annotated[bool | None, Query(description="已超期且未完成")] = None,
    parent_id: Annotated[str | None, Query(max_length=36, description="某任务的子任务")] = None,
    top_level: Annotated[bool | None, Query(description="只看未分解来源的顶层任务")] = None,
    sort: Sort = "deadline",
    count: Annotated[
        bool,
        Query(
            alias="total",
            description=f"计数总数 (至多本页之后 {COUNT_CAP} 条); 默认不计数: total 末页准确, 之前为下限",
        ),
    ] = False,
) -> Response:
    return await answer_page(
        session=session,
        identity=identity,
        page=page,
        state=state,
        org=org,
        category=category,
        deadline_from=deadline_from,
        deadline_to=deadline_to,
        overdue=overdue,
        parent_id=parent_id,
        top_level=top_level,
        sort=sort,
        count=count,
    )


@router.get("/{task_id}", response_model=TaskOut, summary="任务详情 A task")
async def get_task(task_id: str, session: SessionDep, identity: IdentityDep) -> TaskOut:
    await autocommit(session)  # one SELECT
    task = await service.get_task(session=session, identity=identity, task_id=task_id)
    return await task_out(session=session, task=task)


@router.get("/{task_id}/events", response_model=list[TaskEventOut], summary="全程留痕 A task's trace")
async def task_events(task_id: str, session: SessionDep, identity: IdentityDep) -> list[TaskEventOut]:
    task = await service.get_task(session=session, identity=identity, task_id=task_id)
    return [TaskEventOut.model_validate(e) for e in await service.task_events(session=session, task=task)]


router.include_router(flow_router)
