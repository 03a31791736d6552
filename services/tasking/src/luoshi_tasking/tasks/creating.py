"""交办 (``POST /api/v1/tasks``): the create both routes run, and its everyday request answered ahead of
FastAPI's routing and dependency solving (``luoshi_kit.fast_routes``).

``TaskCreateRoute`` comes before every other route and takes a request sent as ``application/json``
without an ``Idempotency-Key``. It reads the body as FastAPI would (``json.loads``, then ``TaskCreate``);
a body that does not parse or validate is handed on to the declared route (``routes.create_task``), which
answers it with FastAPI's own 422. So does any other request: a key, another content type. The declared
route stays the contract (its OpenAPI, its validation, its errors); both create through ``create_answer``.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Scope

from luoshi_kit.fast_routes import Declined, EverydayRoute, header
from luoshi_kit.idempotency import HEADER as IDEMPOTENCY_HEADER
from luoshi_kit.idempotency import idempotent
from luoshi_kit.identity import Identity, current_identity
from luoshi_tasking.tasks import service
from luoshi_tasking.tasks.schemas import TaskCreate, TaskOut
from luoshi_tasking.tasks.status import task_out

PATH = "/api/v1/tasks"
_JSON = (b"application/json", b"application/json; charset=utf-8")
_KEY = IDEMPOTENCY_HEADER.lower().encode()


async def create_answer(
    *, request: Request, session: AsyncSession, identity: Identity, key: str | None, body: TaskCreate
) -> Response:
    """The task ``body`` describes, created at most once per key, answered as ``TaskOut`` (201)."""

    async def work() -> TaskOut:
        task = await service.create_task(session=session, identity=identity, data=body)
        return await task_out(session=session, task=task)  # calendar and rules: cached, no statement

    return await idempotent(
        request=request,
        session=session,
        identity=identity,
        key=key,
        payload=body,
        status_code=201,
        work=work,
        one_statement=True,  # on PostgreSQL the task's rows are one statement (tasks/assignment.py)
    )


async def _everyday_create(request: Request) -> Response:
    raw = await request.body()
    try:
        data = json.loads(raw)  # FastAPI reads the body before it solves any dependency
    except ValueError:
        return Declined(raw)
    identity = await current_identity(request)  # and solves them before it validates the body
    try:
        body = TaskCreate.model_validate(data)
    except ValidationError:
        return Declined(raw)
    async with request.app.state.sessionmaker() as session:
        return await create_answer(request=request, session=session, identity=identity, key=None, body=body)


class TaskCreateRoute(EverydayRoute):
    """``POST /api/v1/tasks`` sent as JSON without an idempotency key (see the module's docstring)."""

    def __init__(self) -> None:
        super().__init__("POST", PATH, _everyday_create)

    def everyday(self, scope: Scope) -> dict[str, Any] | None:
        content_type = header(scope, b"content-type")
        if content_type is None or content_type.lower() not in _JSON or header(scope, _KEY) is not None:
            return None
        return {}
