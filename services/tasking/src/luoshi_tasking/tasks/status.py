"""The at-a-glance status of tasks (colour, 序时进度) from the deadline engine's rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.timebase import business_today
from luoshi_tasking.calendar.rules import WorkCalendar
from luoshi_tasking.calendar.service import load_calendar
from luoshi_tasking.deadlines.rules import DeadlineSettings, TaskLike, TaskStatus, start_of, task_status
from luoshi_tasking.deadlines.service import load_settings
from luoshi_tasking.tasks.models import Task
from luoshi_tasking.tasks.schemas import TaskOut, TaskStatusOut

_STATUS_FIELDS = tuple(TaskStatusOut.model_fields)


@dataclass
class _StatusMemo:
    """Statuses already computed, as ``TaskStatusOut``'s values. A status depends only on the task's start,
    deadline, progress and state, given today, the calendar and the rules; the memo starts afresh when any
    of those three is another (the caches hand out the same objects until the data changes). A page's tasks
    mostly share deadlines, and the working-day arithmetic was a fifth of a list page's CPU."""

    today: date | None = None
    cal: WorkCalendar | None = None
    settings: DeadlineSettings | None = None
    known: dict[tuple[date, date, int, str], dict[str, Any]] = field(default_factory=dict)

    def values(
        self, task: TaskLike, today: date, cal: WorkCalendar, settings: DeadlineSettings
    ) -> dict[str, Any]:
        if (
            today != self.today
            or cal is not self.cal
            or settings is not self.settings
            or len(self.known) > 10_000
        ):
            self.today, self.cal, self.settings, self.known = today, cal, settings, {}
        key = (start_of(task), task.deadline, task.progress_percent, task.state)
        found = self.known.get(key)
        if found is None:
            status = task_status(task, today, cal, settings)
            found = self.known[key] = {name: getattr(status, name) for name in _STATUS_FIELDS}
        return found


_MEMO = _StatusMemo()


def status_values(
    task: TaskLike, today: date, cal: WorkCalendar, settings: DeadlineSettings
) -> dict[str, Any]:
    """``TaskStatusOut``'s values for the task (the dict is shared: read it, never change it)."""
    return _MEMO.values(task, today, cal, settings)


async def with_status(*, session: AsyncSession, tasks: Sequence[Task | Row[Any]]) -> list[TaskOut]:
    """``TaskOut`` of each task with its colour, computed on the calendar and rules in force today."""
    if not tasks:
        return []
    cal = await load_calendar(session=session)
    settings = await load_settings(session=session)
    today = business_today()
    out = []
    for task in tasks:
        item = TaskOut.model_validate(task)
        item.status = TaskStatusOut(**status_values(task, today, cal, settings))
        out.append(item)
    return out


async def task_out(*, session: AsyncSession, task: Task) -> TaskOut:
    """What a write answers: the same fields (status included) as ``GET /tasks/{id}``."""
    return (await with_status(session=session, tasks=[task]))[0]


async def status_now(*, session: AsyncSession, task: Task) -> TaskStatus:
    """One task's status today: the colour its events announce to the read models (as the list shows it)."""
    cal = await load_calendar(session=session)
    settings = await load_settings(session=session)
    return task_status(task, business_today(), cal, settings)
