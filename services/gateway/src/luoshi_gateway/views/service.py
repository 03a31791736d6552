"""Cross-service views answered from the gateway's read models. Keyword-only, never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.orgs.models import Org
from luoshi_gateway.orgs.service import get_visible_org
from luoshi_gateway.views.models import TaskView, TimelineEntry
from luoshi_gateway.views.schemas import ChildFigures, Dashboard, Timeline, TimelineItem
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.orgtree import within_subtree
from luoshi_proto.tasking.states import CLOSED_STATES, OPEN_STATES


def _may_see(identity: Identity, view: TaskView) -> bool:
    units = [view.lead_unit, view.issuing_org, *view.co_units]
    return any(identity.can_see(unit) for unit in units)


async def timeline(*, session: AsyncSession, identity: Identity, task_id: str) -> Timeline:
    view = await session.get(TaskView, task_id)
    if view is None or not _may_see(identity, view):
        raise Problem(404, "not-found", "任务不存在 Task not found")
    rows = (
        await session.scalars(
            select(TimelineEntry).where(TimelineEntry.task_id == task_id).order_by(TimelineEntry.at)
        )
    ).all()
    return Timeline(
        task_id=task_id,
        title=view.title,
        state=view.state,
        items=[TimelineItem.model_validate(r) for r in rows],
    )


def _figures(scope: str) -> Select[int, Any, Any, Any, Any]:
    closed = TaskView.state.in_(CLOSED_STATES)
    on_time = closed & (TaskView.completed_on <= TaskView.deadline)
    open_ = TaskView.state.in_(OPEN_STATES)
    return select(
        func.count(),
        func.sum(case((closed, 1), else_=0)),
        func.sum(case((on_time, 1), else_=0)),
        func.sum(case((open_ & TaskView.overdue, 1), else_=0)),
        func.sum(case((open_ & TaskView.lagging, 1), else_=0)),
    ).where(within_subtree(TaskView.lead_unit, scope))


async def dashboard(*, session: AsyncSession, identity: Identity, org_code: str) -> Dashboard:
    org = await get_visible_org(session=session, identity=identity, code=org_code)
    by_state: dict[str, int] = dict(
        (
            await session.execute(
                select(TaskView.state, func.count())
                .where(within_subtree(TaskView.lead_unit, org_code))
                .group_by(TaskView.state)
            )
        ).all()
    )
    _, _, _, overdue, lagging = (await session.execute(_figures(org_code))).one()._tuple()
    children = (
        await session.scalars(select(Org).where(Org.parent_code == org_code, Org.active).order_by(Org.code))
    ).all()
    figures = []
    for child in children:
        tasks, closed, on_time, child_overdue, child_lagging = (
            await session.execute(_figures(child.code))
        ).one()
        closed, on_time = int(closed or 0), int(on_time or 0)
        figures.append(
            ChildFigures(
                org_code=child.code,
                name=child.name,
                tasks=int(tasks or 0),
                closed=closed,
                closed_on_time=on_time,
                on_time_rate=round(on_time / closed, 4) if closed else None,
                overdue=int(child_overdue or 0),
                lagging=int(child_lagging or 0),
            )
        )
    return Dashboard(
        org_code=org.code,
        name=org.name,
        by_state={k: int(v) for k, v in by_state.items()},
        overdue=int(overdue or 0),
        lagging=int(lagging or 0),
        children=figures,
    )
