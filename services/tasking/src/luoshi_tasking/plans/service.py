"""Work-plan use cases (工作方案, 挂图作战). Keyword-only, never commit: the caller owns the transaction."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_tasking.orgs.service import require_known_orgs
from luoshi_tasking.plans import rules
from luoshi_tasking.plans.models import Milestone, WorkPlan
from luoshi_tasking.plans.schemas import GanttBar, PlanIn, PlanOut
from luoshi_tasking.tasks.models import Task
from luoshi_tasking.tasks.service import get_task

PLANNING_ROLES = ("principal", "deputy", "office", "handler", "admin")


def _check_can_plan(identity: Identity, task: Task) -> None:
    # The lead unit draws up its plan (牵头单位逐项制定推进计划); superiors read it.
    if not identity.has_any(*PLANNING_ROLES) or identity.org_code != task.lead_unit:
        raise Problem(
            403,
            "forbidden",
            "无权制定方案 Not allowed to plan",
            "只有牵头单位的负责同志、督查室、承办人可制定工作方案",
        )


async def get_plan(*, session: AsyncSession, identity: Identity, task_id: str, today: date) -> PlanOut:
    task = await get_task(session=session, identity=identity, task_id=task_id)
    plan = await session.get(WorkPlan, task.id)
    milestones = (
        await session.scalars(
            select(Milestone)
            .where(Milestone.task_id == task.id)
            .order_by(Milestone.start_date, Milestone.end_date, Milestone.seq)
        )
    ).all()
    start = plan.start_date if plan else (task.start_date or task.created_at.date())
    end = plan.end_date if plan else task.deadline
    owner_org = plan.owner_org if plan else task.lead_unit
    owner_person = plan.owner_person_id if plan else task.handler_id
    progress = rules.plan_progress([m.done for m in milestones], task.progress_percent)
    done = progress >= 100 or task.state in ("completed", "closed", "archived")
    bars = [
        GanttBar(
            id=task.id,
            kind="plan",
            name=task.title,
            start=start,
            end=max(start, end),
            progress=progress,
            owner_person_id=owner_person,
            owner_org=owner_org,
            done=done,
            late=rules.is_late(end, done, today),
        )
    ]
    bars += [
        GanttBar(
            id=m.id,
            kind="milestone",
            name=m.name,
            start=m.start_date,
            end=m.end_date,
            progress=rules.milestone_progress(m.done),
            owner_person_id=m.owner_person_id,
            owner_org=m.owner_org,
            done=m.done,
            late=rules.is_late(m.end_date, m.done, today),
        )
        for m in milestones
    ]
    return PlanOut(
        task_id=task.id,
        title=task.title,
        planned=plan is not None,
        start=start,
        end=end,
        owner_person_id=owner_person,
        owner_org=owner_org,
        notes=plan.notes if plan else "",
        progress=progress,
        today=today,
        bars=bars,
        version=plan.version if plan else 0,
        updated_by=plan.updated_by if plan else None,
        updated_at=plan.updated_at if plan else None,
    )


async def put_plan(*, session: AsyncSession, identity: Identity, task_id: str, data: PlanIn) -> None:
    """Replace the task's plan and milestones as a whole (the task row lock serialises writers)."""
    task = await get_task(session=session, identity=identity, task_id=task_id, lock=True)
    _check_can_plan(identity, task)
    owners = {m.owner_org for m in data.milestones if m.owner_org}
    if data.owner_org:
        owners.add(data.owner_org)
    await require_known_orgs(session=session, codes=owners)
    now = utcnow()
    plan = await session.get(WorkPlan, task.id)
    if plan is None:
        plan = WorkPlan(task_id=task.id, version=0)
        session.add(plan)
    plan.start_date, plan.end_date = data.start, data.end
    plan.owner_person_id = data.owner_person_id
    plan.owner_org = data.owner_org or task.lead_unit
    plan.notes = data.notes
    plan.version = (plan.version or 0) + 1
    plan.updated_by, plan.updated_org, plan.updated_at = identity.person_id, identity.org_code, now
    await session.execute(delete(Milestone).where(Milestone.task_id == task.id))
    for seq, m in enumerate(data.milestones):
        session.add(
            Milestone(
                id=str(uuid.uuid4()),
                task_id=task.id,
                seq=seq,
                name=m.name,
                owner_person_id=m.owner_person_id,
                owner_org=m.owner_org,
                start_date=m.start,
                end_date=m.end,
                done=m.done,
            )
        )
    await session.flush()
