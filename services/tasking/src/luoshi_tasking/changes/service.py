"""任务变更: the issuer changes an open task's fields. Keyword-only, never commit.

Each change is one trace row (``updated``, every field with before/after) and one
tasking.task.updated.v1; a new lead unit also takes the task back to ``assigned`` (``change_lead``:
a new tasking.task.assigned.v1 to that unit, which signs for it again) and withdraws a pending
extension request of the old one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_kit.timebase import business_today
from luoshi_proto.divisions import is_below
from luoshi_proto.tasking.v1 import FieldChange, TaskUpdated
from luoshi_tasking.changes.models import TaskExtension
from luoshi_tasking.changes.rules import NOT_NULL, check_future_deadline, diff
from luoshi_tasking.changes.schemas import EDITABLE, TaskUpdate
from luoshi_tasking.tasks.lifecycle import SOURCE, actor, step, task_ref, trace
from luoshi_tasking.tasks.models import Task
from luoshi_tasking.tasks.permissions import require
from luoshi_tasking.tasks.service import check_lead_not_co_unit, get_task, require_known_orgs
from luoshi_tasking.tasks.state_machine import OPEN_STATES, STATES


def require_open(task: Task, doing: str) -> None:
    if task.state not in OPEN_STATES:
        raise Problem(
            409,
            "illegal-transition",
            "当前状态不允许此操作 Illegal transition",
            f"任务处于「{STATES.get(task.state, task.state)}」({task.state}), 不能{doing}",
            state=task.state,
        )


def _wanted(data: TaskUpdate) -> dict[str, Any]:
    wanted = {name: getattr(data, name) for name in EDITABLE if name in data.model_fields_set}
    cleared = sorted(name for name, value in wanted.items() if value is None and name in NOT_NULL)
    if cleared:
        raise Problem(422, "field-required", "字段不能为空 Field required", f"不能清空: {', '.join(cleared)}")
    if "report_due_dates" in wanted:
        wanted["report_due_dates"] = sorted(wanted["report_due_dates"])
    return wanted


async def _check_dates(
    session: AsyncSession, task: Task, new: dict[str, Any], deadline_changed: bool
) -> None:
    deadline: date = new["deadline"]
    if deadline_changed:
        check_future_deadline(deadline, business_today())
    if new["start_date"] and new["start_date"] > deadline:
        raise Problem(422, "start-after-deadline", "开始日期晚于完成时限 Start after the deadline")
    dues = [date.fromisoformat(str(d)) if not isinstance(d, date) else d for d in new["report_due_dates"]]
    if any(d > deadline for d in dues):
        raise Problem(422, "report-after-deadline", "反馈时限晚于完成时限 Report date after the deadline")
    if not deadline_changed:
        return
    if task.parent_id:
        parent = await session.get(Task, task.parent_id)
        if parent is not None and deadline > parent.deadline:
            raise Problem(
                422,
                "deadline-after-parent",
                "时限晚于上级任务 Deadline after the parent's",
                f"新的完成时限 {deadline} 晚于上级任务的 {parent.deadline}",
            )
    latest = await session.scalar(
        select(func.max(Task.deadline)).where(Task.parent_id == task.id, Task.state != "cancelled")
    )
    if latest is not None and deadline < latest:
        raise Problem(
            422,
            "deadline-before-subtasks",
            "时限早于子任务 Deadline before the subtasks'",
            f"新的完成时限 {deadline} 早于子任务的 {latest}; 请先调整子任务",
        )


async def _check_units(session: AsyncSession, task: Task, lead: str, co_units: list[str]) -> None:
    check_lead_not_co_unit(lead, co_units)
    outside = [u for u in [lead, *co_units] if not is_below(u, task.issuing_org)]
    if outside:
        raise Problem(
            422,
            "assign-outside-subtree",
            "只能向下级交办 Assignment goes downward",
            f"以下单位不在交办单位下级范围内: {', '.join(outside)}",
            units=outside,
        )
    await require_known_orgs(session=session, codes=[lead, *co_units])


async def update_task(*, session: AsyncSession, identity: Identity, task_id: str, data: TaskUpdate) -> Task:
    """PATCH a task: 404 if unseen, 403 unless its issuer (directing roles), 409 unless open,
    422 for bad values or no change at all; nothing is written unless everything holds."""
    task = await get_task(session=session, identity=identity, task_id=task_id, lock=True)
    require(identity, task, "update")
    require_open(task, "变更")
    wanted = _wanted(data)
    current = {name: getattr(task, name) for name in EDITABLE}
    changes = diff(current, wanted)
    if not changes:
        raise Problem(422, "no-change", "没有变更 Nothing changed", "给出的字段与现有内容相同")
    changed = {c["field"] for c in changes}
    new = {**current, **wanted}
    if "report_due_dates" not in wanted:
        new["report_due_dates"] = list(task.report_due_dates or [])
    await _check_dates(session, task, new, "deadline" in changed)
    if changed & {"lead_unit", "co_units"}:
        await _check_units(session, task, new["lead_unit"], list(new["co_units"]))
    now = utcnow()
    for name in changed:
        value = new[name]
        if name == "report_due_dates":
            value = [d.isoformat() if isinstance(d, date) else str(d) for d in value]
        elif name == "co_units":
            value = list(value)
        setattr(task, name, value)
    task.updated_at = now
    trace(
        session=session,
        task=task,
        identity=identity,
        action="updated",
        at=now,
        reason=data.reason,
        detail={"changes": changes},
    )
    add_event(
        session=session,
        source=SOURCE,
        orgcode=task.lead_unit,
        subject=task.id,
        data=TaskUpdated(
            task=task_ref(task),
            by=actor(identity),
            at=now,
            reason=data.reason,
            changes=[FieldChange(**c) for c in changes],
        ),
    )
    if "lead_unit" in changed:
        await session.execute(
            update(TaskExtension)
            .where(TaskExtension.task_id == task.id, TaskExtension.state == "pending")
            .values(state="withdrawn", decided_at=now, comment="牵头单位已变更, 申请自动撤回")
        )
        before = next(c["before"] for c in changes if c["field"] == "lead_unit")
        step(
            session=session,
            task=task,
            identity=identity,
            action="change_lead",
            reason=data.reason,
            detail={"from_lead_unit": before, "lead_unit": task.lead_unit},
            at=now,
        )
    return task
