"""Acceptance flows: 签收, 退回, 协办确认, 重新交办, 撤销. Keyword-only, never commit."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_kit.scope import require_in_scope
from luoshi_kit.timebase import business_today
from luoshi_proto.divisions import is_below
from luoshi_proto.tasking.v1 import TaskCoUnitConfirmed
from luoshi_tasking.ledger.service import add_entry
from luoshi_tasking.tasks.lifecycle import SOURCE, actor, step, task_ref, trace
from luoshi_tasking.tasks.models import CoUnitConfirmation, Task
from luoshi_tasking.tasks.permissions import require
from luoshi_tasking.tasks.rollup import roll_up
from luoshi_tasking.tasks.rules import check_deadline
from luoshi_tasking.tasks.schemas import CoUnitConfirmationOut, Reassign
from luoshi_tasking.tasks.service import check_lead_not_co_unit, get_task, require_known_orgs
from luoshi_tasking.tasks.state_machine import STATES, transition
from luoshi_tasking.tasks.status import status_now


def accept_task(
    *,
    session: AsyncSession,
    task: Task,
    identity: Identity,
    note: str | None = None,
    lagging: bool | None = None,
) -> Task:
    """签收: the lead unit takes the task on and opens its ledger account (建账)."""
    now = step(session=session, task=task, identity=identity, action="accept", reason=note, lagging=lagging)
    add_entry(session=session, org_code=task.lead_unit, task=task, kind="open", identity=identity, at=now)
    return task


async def accept(*, session: AsyncSession, identity: Identity, task_id: str, note: str | None) -> Task:
    task = await get_task(session=session, identity=identity, task_id=task_id, lock=True)
    require(identity, task, "accept")
    # A task whose start lies in the past can be behind from the day it is signed for (the dashboard's
    # figures follow the colour the event says; the deadline scan warns of lagging once a week only).
    lagging = (await status_now(session=session, task=task)).lagging
    return accept_task(session=session, task=task, identity=identity, note=note, lagging=lagging)


async def return_task(*, session: AsyncSession, identity: Identity, task_id: str, reason: str) -> Task:
    """退回: the lead unit sends the task back to the issuer with a reason."""
    task = await get_task(session=session, identity=identity, task_id=task_id, lock=True)
    require(identity, task, "return")
    step(session=session, task=task, identity=identity, action="return", reason=reason)
    return task


async def reassign(*, session: AsyncSession, identity: Identity, task_id: str, data: Reassign) -> Task:
    """重新交办 a returned task, possibly to another lead unit; 交办 still goes down only."""
    task = await get_task(session=session, identity=identity, task_id=task_id, lock=True)
    require(identity, task, "reassign")
    transition(task.state, "reassign")
    co_units = task.co_units if data.co_units is None else data.co_units
    check_lead_not_co_unit(data.lead_unit, co_units)
    require_in_scope(identity, data.lead_unit, *co_units)
    outside = [u for u in [data.lead_unit, *co_units] if not is_below(u, task.issuing_org)]
    if outside:
        raise Problem(
            422,
            "assign-outside-subtree",
            "只能向下级交办 Assignment goes downward",
            f"以下单位不在交办单位下级范围内: {', '.join(outside)}",
            units=outside,
        )
    await require_known_orgs(session=session, codes=[data.lead_unit, *co_units])
    deadline = data.deadline or task.deadline
    check_deadline(deadline, business_today())
    if task.parent_id and data.deadline:
        parent = await session.get(Task, task.parent_id)
        if parent is not None and deadline > parent.deadline:
            raise Problem(422, "deadline-after-parent", "时限晚于上级任务 Deadline after the parent's")
    detail = {
        "from_lead_unit": task.lead_unit,
        "lead_unit": data.lead_unit,
        "co_units": co_units,
        "deadline": deadline.isoformat(),
    }
    task.lead_unit, task.co_units, task.deadline = data.lead_unit, list(co_units), deadline
    step(session=session, task=task, identity=identity, action="reassign", reason=data.reason, detail=detail)
    return task


async def cancel(*, session: AsyncSession, identity: Identity, task_id: str, reason: str) -> Task:
    task = await get_task(session=session, identity=identity, task_id=task_id, lock=True)
    require(identity, task, "cancel")
    step(session=session, task=task, identity=identity, action="cancel", reason=reason)
    await roll_up(session=session, task=task, identity=identity)
    return task


async def confirm_co_unit(
    *, session: AsyncSession, identity: Identity, task_id: str, org_code: str, note: str | None
) -> CoUnitConfirmation:
    """协办确认: a co-unit confirms its part; it opens its own ledger account for the task."""
    task = await get_task(session=session, identity=identity, task_id=task_id, lock=True)
    if org_code not in task.co_units:
        raise Problem(404, "not-found", "协办单位不存在 Not a co-unit", f"{org_code} 不是此任务的协办单位")
    if identity.org_code != org_code:
        raise Problem(403, "forbidden", "无权操作 Forbidden", "只有该协办单位本身可以确认")
    require(identity, task, "confirm")
    if task.state not in ("assigned", "accepted"):
        raise Problem(
            409,
            "illegal-transition",
            "当前状态不允许此操作 Illegal transition",
            f"任务处于「{STATES[task.state]}」({task.state}), 不能协办确认 (confirm)",
            state=task.state,
            action="confirm",
        )
    done = await session.scalar(
        select(CoUnitConfirmation).where(
            CoUnitConfirmation.task_id == task.id, CoUnitConfirmation.org_code == org_code
        )
    )
    if done is not None:
        raise Problem(
            409, "already-confirmed", "已确认 Already confirmed", f"{org_code} 已于 {done.confirmed_at} 确认"
        )
    now = utcnow()
    row = CoUnitConfirmation(
        id=str(uuid.uuid4()),
        task_id=task.id,
        org_code=org_code,
        confirmed_by=identity.person_id,
        note=note,
        confirmed_at=now,
    )
    session.add(row)
    add_entry(session=session, org_code=org_code, task=task, kind="open", identity=identity, at=now)
    trace(
        session=session,
        task=task,
        identity=identity,
        action="co_unit_confirmed",
        at=now,
        reason=note,
        detail={"org_code": org_code},
    )
    add_event(
        session=session,
        source=SOURCE,
        orgcode=org_code,
        subject=task.id,
        data=TaskCoUnitConfirmed(
            task=task_ref(task), by=actor(identity), at=now, org_code=org_code, note=note
        ),
    )
    return row


async def co_unit_status(
    *, session: AsyncSession, identity: Identity, task_id: str
) -> list[CoUnitConfirmationOut]:
    task = await get_task(session=session, identity=identity, task_id=task_id)
    query = select(CoUnitConfirmation).where(CoUnitConfirmation.task_id == task.id)
    rows = {r.org_code: r for r in await session.scalars(query)}
    out = []
    for code in task.co_units:
        row = rows.get(code)
        out.append(
            CoUnitConfirmationOut(
                org_code=code,
                confirmed=row is not None,
                confirmed_by=row.confirmed_by if row else None,
                confirmed_at=row.confirmed_at if row else None,
                note=row.note if row else None,
            )
        )
    return out
