"""Task use cases. Keyword-only, never commit: the caller owns the transaction."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_proto.divisions import division_parts
from luoshi_proto.tasking.v1 import TaskAssigned
from luoshi_tasking.orgs.models import Org
from luoshi_tasking.tasks.models import Task, TaskEvent
from luoshi_tasking.tasks.rules import business_today, check_can_assign, check_deadline
from luoshi_tasking.tasks.schemas import TaskCreate


async def _require_known_orgs(session: AsyncSession, codes: list[str]) -> None:
    known = set((await session.scalars(select(Org.code).where(Org.code.in_(codes), Org.active))).all())
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise Problem(
            422,
            "unknown-org",
            "单位不存在 Unknown organisation",
            f"未知单位代码: {', '.join(unknown)}",
            units=unknown,
        )


async def create_task(*, session: AsyncSession, identity: Identity, data: TaskCreate) -> Task:
    units = [data.lead_unit, *data.co_units]
    if data.lead_unit in data.co_units:
        raise Problem(422, "lead-unit-is-co-unit", "牵头单位不能同时为协办单位 Lead unit listed as co-unit")
    check_deadline(data.deadline, business_today())
    await _require_known_orgs(session, units)
    check_can_assign(identity, units)
    now = utcnow()
    task = Task(
        id=str(uuid.uuid4()),
        title=data.title,
        description=data.description,
        source=data.source,
        category=data.category,
        issuing_org=identity.org_code,
        lead_unit=data.lead_unit,
        co_units=data.co_units,
        deadline=data.deadline,
        state="assigned",
        created_by=identity.person_id,
        created_at=now,
    )
    session.add(task)
    session.add(
        TaskEvent(
            id=str(uuid.uuid4()),
            task_id=task.id,
            action="assigned",
            actor_id=identity.person_id,
            actor_org=identity.org_code,
            at=now,
        )
    )
    add_event(
        session=session,
        source="tasking",
        orgcode=task.lead_unit,
        subject=task.id,
        data=TaskAssigned(
            task_id=task.id,
            title=task.title,
            issuing_org=task.issuing_org,
            lead_unit=task.lead_unit,
            co_units=task.co_units,
            deadline=task.deadline,
            assigned_by=identity.person_id,
            assigned_at=now,
        ),
    )
    return task


def visible_tasks(identity: Identity) -> Select[tuple[Task]]:
    """Tasks whose lead unit lies in the person's subtree, or that their organisation issued."""
    prefix = "".join(division_parts(identity.org_code))
    in_subtree = (
        Task.lead_unit == identity.org_code
        if len(identity.org_code) > 12
        else Task.lead_unit.startswith(prefix)
    )
    return select(Task).where(in_subtree | (Task.issuing_org == identity.org_code))


async def list_tasks(
    *, session: AsyncSession, identity: Identity, offset: int, limit: int, state: str | None = None
) -> tuple[list[Task], int]:
    query = visible_tasks(identity)
    if state:
        query = query.where(Task.state == state)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = (await session.scalars(query.order_by(Task.created_at.desc()).offset(offset).limit(limit))).all()
    return list(rows), total


async def get_task(*, session: AsyncSession, identity: Identity, task_id: str) -> Task:
    task = await session.scalar(visible_tasks(identity).where(Task.id == task_id))
    if task is None:
        raise Problem(404, "not-found", "任务不存在 Task not found")
    return task
