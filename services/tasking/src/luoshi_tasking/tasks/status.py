"""The at-a-glance status of tasks (colour, 序时进度) from the deadline engine's rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.timebase import business_today
from luoshi_tasking.calendar.service import load_calendar
from luoshi_tasking.deadlines.rules import TaskStatus, task_status
from luoshi_tasking.deadlines.service import load_settings
from luoshi_tasking.tasks.models import Task
from luoshi_tasking.tasks.schemas import TaskOut, TaskStatusOut


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
        item.status = TaskStatusOut(**vars(task_status(task, today, cal, settings)))  # flat: no asdict copy
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
