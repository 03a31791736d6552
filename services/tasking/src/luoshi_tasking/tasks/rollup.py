"""Progress roll-up from subtasks to their parents.

A parent with subtasks takes the plain mean of its live subtasks' progress (cancelled ones left out,
each subtask weighing the same, rounded down so 99.5 % never shows as done); its own reports then
record text but no longer set its percentage. The roll-up climbs to the root in the same transaction, and
each parent it moves announces its new figure (tasking.task.progress_rolled_up.v1) for the read models.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_proto.tasking.v1 import TaskProgressRolledUp
from luoshi_tasking.tasks.lifecycle import SOURCE, task_ref, trace
from luoshi_tasking.tasks.models import Task
from luoshi_tasking.tasks.status import status_now


def mean_progress(percents: list[int]) -> int | None:
    return sum(percents) // len(percents) if percents else None


async def has_live_children(*, session: AsyncSession, task: Task) -> bool:
    child = await session.scalar(
        select(Task.id).where(Task.parent_id == task.id, Task.state != "cancelled").limit(1)
    )
    return child is not None


async def roll_up(*, session: AsyncSession, task: Task, identity: Identity) -> None:
    """Recompute the progress of ``task``'s ancestors after ``task`` changed."""
    child = task
    while child.parent_id:
        parent = await session.scalar(select(Task).where(Task.id == child.parent_id).with_for_update())
        if parent is None:
            return
        percents = list(
            await session.scalars(
                select(Task.progress_percent).where(Task.parent_id == parent.id, Task.state != "cancelled")
            )
        )
        new = mean_progress(percents)
        if new is None or new == parent.progress_percent:
            return
        trace(
            session=session,
            task=parent,
            identity=identity,
            action="progress_rolled_up",
            at=utcnow(),
            detail={"from": parent.progress_percent, "to": new, "subtask_id": task.id},
        )
        previous, parent.progress_percent, parent.updated_at = parent.progress_percent, new, utcnow()
        add_event(
            session=session,
            source=SOURCE,
            orgcode=parent.lead_unit,
            subject=parent.id,
            data=TaskProgressRolledUp(
                task=task_ref(parent),
                at=parent.updated_at,
                subtask_id=task.id,
                progress_percent=new,
                previous_percent=previous,
                lagging=(await status_now(session=session, task=parent)).lagging,
            ),
        )
        child = parent
