"""Views across services: a task's whole timeline and a subtree's dashboard (from event-fed read models)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from luoshi_gateway.auth.deps import UserDep
from luoshi_gateway.views import service
from luoshi_gateway.views.dashboard import dashboard_body
from luoshi_gateway.views.schemas import Dashboard, Timeline
from luoshi_kit.deps import SessionDep

router = APIRouter(tags=["views 综合视图"])


@router.get(
    "/api/v1/tasks/{task_id}/timeline", response_model=Timeline, summary="任务全程留痕 A task's timeline"
)
async def task_timeline(task_id: str, session: SessionDep, user: UserDep) -> Response:
    # The database writes the document (the schema above stays the contract); no per-entry work here.
    document = await service.timeline(session=session, identity=user, task_id=task_id)
    return Response(document, media_type="application/json")


@router.get("/api/v1/dashboard", response_model=Dashboard, summary="督查看板 Dashboard of a subtree")
async def dashboard(
    session: SessionDep, user: UserDep, org: Annotated[str | None, Query(max_length=15)] = None
) -> Response:
    # The body is built once (views/dashboard.py); the schema above stays the contract.
    body = await dashboard_body(session=session, identity=user, org_code=org or user.org_code)
    return Response(body, media_type="application/json")
