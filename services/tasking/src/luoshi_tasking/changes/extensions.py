"""延期申请: the lead unit requests, the issuer decides. Keyword-only, never commit (see rules.py)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_kit.timebase import business_today
from luoshi_proto.tasking.v1 import TaskDeadlineExtended, TaskExtensionDecided, TaskExtensionRequested
from luoshi_tasking.calendar.service import load_calendar
from luoshi_tasking.changes.models import TaskExtension
from luoshi_tasking.changes.rules import check_extension, is_late, working_days_added
from luoshi_tasking.changes.schemas import ExtensionCreate, ExtensionDecision
from luoshi_tasking.changes.service import require_open
from luoshi_tasking.deadlines.service import load_settings
from luoshi_tasking.tasks.lifecycle import SOURCE, actor, task_ref, trace
from luoshi_tasking.tasks.models import Task
from luoshi_tasking.tasks.permissions import require
from luoshi_tasking.tasks.service import get_task
from luoshi_tasking.tasks.subtasks import require_accepted


async def _pending(session: AsyncSession, task: Task) -> TaskExtension | None:
    return await session.scalar(
        select(TaskExtension).where(TaskExtension.task_id == task.id, TaskExtension.state == "pending")
    )


async def request_extension(
    *, session: AsyncSession, identity: Identity, task_id: str, data: ExtensionCreate
) -> TaskExtension:
    """404 unseen, 403 unless the lead unit, 409 unless in work / one pending / limit reached,
    422 for a date that is not later than the deadline or lies in the past."""
    task = await get_task(session=session, identity=identity, task_id=task_id, lock=True)
    require(identity, task, "request_extension")
    require_accepted(task, "申请延期")
    pending = await _pending(session, task)
    if pending is not None:
        raise Problem(
            409,
            "extension-pending",
            "已有待审批的延期申请 Extension pending",
            f"延期申请 {pending.id} (延至 {pending.requested_deadline}) 尚待交办单位审批",
            extension_id=pending.id,
        )
    settings = await load_settings(session=session)
    today = business_today()
    check_extension(
        current=task.deadline,
        requested=data.requested_deadline,
        today=today,
        approved=task.extension_count or 0,
        limit=settings.max_extensions,
    )
    if task.parent_id:
        parent = await session.get(Task, task.parent_id)
        if parent is not None and data.requested_deadline > parent.deadline:
            raise Problem(
                422,
                "deadline-after-parent",
                "时限晚于上级任务 Deadline after the parent's",
                f"申请延至 {data.requested_deadline} 晚于上级任务的完成时限 {parent.deadline}",
            )
    cal = await load_calendar(session=session)
    now = utcnow()
    row = TaskExtension(
        id=str(uuid.uuid4()),
        task_id=task.id,
        state="pending",
        reason=data.reason,
        current_deadline=task.deadline,
        requested_deadline=data.requested_deadline,
        working_days_added=working_days_added(cal, task.deadline, data.requested_deadline),
        late=is_late(today, task.deadline),
        requested_by=identity.person_id,
        requested_org=identity.org_code,
        requested_at=now,
    )
    session.add(row)
    task.updated_at = now
    detail = {
        "extension_id": row.id,
        "current_deadline": task.deadline.isoformat(),
        "requested_deadline": row.requested_deadline.isoformat(),
        "working_days_added": row.working_days_added,
        "late": row.late,
    }
    trace(
        session=session,
        task=task,
        identity=identity,
        action="extension_requested",
        at=now,
        reason=data.reason,
        detail=detail,
    )
    add_event(
        session=session,
        source=SOURCE,
        orgcode=task.lead_unit,
        subject=task.id,
        data=TaskExtensionRequested(
            task=task_ref(task),
            by=actor(identity),
            at=now,
            extension_id=row.id,
            reason=row.reason,
            current_deadline=row.current_deadline,
            requested_deadline=row.requested_deadline,
            working_days_added=row.working_days_added,
            late=row.late,
        ),
    )
    return row


async def decide_extension(
    *, session: AsyncSession, identity: Identity, task_id: str, extension_id: str, data: ExtensionDecision
) -> TaskExtension:
    """The issuer approves (the deadline moves, one more extension counts) or rejects (comment)."""
    task = await get_task(session=session, identity=identity, task_id=task_id, lock=True)
    row = await session.scalar(
        select(TaskExtension)
        .where(TaskExtension.id == extension_id, TaskExtension.task_id == task.id)
        .with_for_update()
    )
    if row is None:
        raise Problem(404, "not-found", "延期申请不存在 Not found", f"此任务没有延期申请 {extension_id}")
    require(identity, task, "decide_extension")
    if row.state != "pending":
        raise Problem(
            409,
            "extension-decided",
            "延期申请已处理 Already decided",
            f"此申请已是 {row.state}",
            state=row.state,
        )
    approve = data.decision == "approve"
    if approve:
        require_open(task, "批准延期")
        if row.requested_deadline <= task.deadline:
            raise Problem(
                409,
                "extension-stale",
                "完成时限已变更 Deadline changed meanwhile",
                f"现行完成时限 {task.deadline} 已不早于申请的 {row.requested_deadline}",
            )
    now = utcnow()
    row.state = "approved" if approve else "rejected"
    row.decided_by, row.decided_at, row.comment = identity.person_id, now, data.comment
    previous = task.deadline
    if approve:
        task.deadline = row.requested_deadline
        task.extension_count = (task.extension_count or 0) + 1
        if task.original_deadline is None:
            task.original_deadline = previous
    task.updated_at = now
    trace(
        session=session,
        task=task,
        identity=identity,
        action=f"extension_{row.state}",
        at=now,
        reason=data.comment,
        detail={
            "extension_id": row.id,
            "previous_deadline": previous.isoformat(),
            "deadline": task.deadline.isoformat(),
            "extension_count": task.extension_count,
        },
    )
    by, ref = actor(identity), task_ref(task)
    decided = TaskExtensionDecided(
        task=ref,
        by=by,
        at=now,
        extension_id=row.id,
        decision="approved" if approve else "rejected",
        comment=data.comment,
        requested_deadline=row.requested_deadline,
        late=row.late,
    )
    add_event(session=session, source=SOURCE, orgcode=task.lead_unit, subject=task.id, data=decided)
    if approve:
        extended = TaskDeadlineExtended(
            task=ref,
            by=by,
            at=now,
            extension_id=row.id,
            previous_deadline=previous,
            working_days_added=row.working_days_added,
            late=row.late,
        )
        add_event(session=session, source=SOURCE, orgcode=task.lead_unit, subject=task.id, data=extended)
    return row


async def list_extensions(
    *, session: AsyncSession, identity: Identity, task_id: str
) -> tuple[Task, list[TaskExtension], int]:
    task = await get_task(session=session, identity=identity, task_id=task_id)
    rows = await session.scalars(
        select(TaskExtension)
        .where(TaskExtension.task_id == task.id)
        .order_by(TaskExtension.requested_at, TaskExtension.id)
    )
    settings = await load_settings(session=session)
    return task, list(rows), settings.max_extensions
