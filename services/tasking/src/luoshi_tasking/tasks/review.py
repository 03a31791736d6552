"""Completion, review and close-out: 完成 → 复核确认 (销号) or 复核退回 → 办结归档. Never commit."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_tasking.ledger.models import LedgerEntry
from luoshi_tasking.ledger.service import add_entry
from luoshi_tasking.tasks.lifecycle import step
from luoshi_tasking.tasks.models import Task, TaskEvent
from luoshi_tasking.tasks.permissions import require
from luoshi_tasking.tasks.rollup import roll_up
from luoshi_tasking.tasks.schemas import Review
from luoshi_tasking.tasks.service import get_task
from luoshi_tasking.tasks.state_machine import FINISHED_STATES, transition


async def complete(*, session: AsyncSession, identity: Identity, task_id: str, note: str | None) -> Task:
    """报请复核: the lead unit declares the work done; every subtask must be finished first."""
    task = await get_task(session=session, identity=identity, task_id=task_id, lock=True)
    require(identity, task, "complete")
    transition(task.state, "complete")
    open_children = await session.scalar(
        select(func.count()).where(Task.parent_id == task.id, Task.state.not_in(FINISHED_STATES))
    )
    if open_children:
        raise Problem(
            409,
            "open-subtasks",
            "子任务未办结 Subtasks still open",
            f"还有 {open_children} 项子任务未复核销号或撤销, 不能报请复核",
            open_subtasks=open_children,
        )
    step(
        session=session,
        task=task,
        identity=identity,
        action="complete",
        reason=note,
        detail={"progress_percent": 100, "previous_progress_percent": task.progress_percent},
    )
    task.progress_percent = 100
    await roll_up(session=session, task=task, identity=identity)
    return task


async def review(*, session: AsyncSession, identity: Identity, task_id: str, data: Review) -> Task:
    """复核: approve → closed (销号, every open ledger account of the task is closed out);
    reject → back to work with the reviewer's reason."""
    task = await get_task(session=session, identity=identity, task_id=task_id, lock=True)
    action = "close" if data.decision == "approve" else "reject"
    require(identity, task, action)
    if action == "reject":
        # The work goes on: progress returns to where it stood before the completion declared 100 %.
        last = await session.scalar(
            select(TaskEvent)
            .where(TaskEvent.task_id == task.id, TaskEvent.action == "complete")
            .order_by(TaskEvent.at.desc())
            .limit(1)
        )
        previous = last.detail.get("previous_progress_percent") if last else None
        step(
            session=session,
            task=task,
            identity=identity,
            action=action,
            reason=data.reason,
            detail={"progress_percent": previous},
        )
        if isinstance(previous, int):
            task.progress_percent = previous
            await roll_up(session=session, task=task, identity=identity)
        return task
    now = step(session=session, task=task, identity=identity, action=action, reason=data.reason)
    if action == "close":
        accounts = await session.scalars(
            select(LedgerEntry.org_code).where(LedgerEntry.task_id == task.id, LedgerEntry.kind == "open")
        )
        for org_code in sorted(set(accounts)):
            add_entry(
                session=session,
                org_code=org_code,
                task=task,
                kind="close_out",
                identity=identity,
                at=now,
                note=data.reason,
            )
    return task


async def archive(*, session: AsyncSession, identity: Identity, task_id: str, note: str | None) -> Task:
    """办结归档 by the issuer, after the close-out."""
    task = await get_task(session=session, identity=identity, task_id=task_id, lock=True)
    require(identity, task, "archive")
    step(session=session, task=task, identity=identity, action="archive", reason=note)
    return task
