"""Letting time pass for the demo's overdue tasks: their deadline and creation move into the past.

The API refuses a deadline in the past (rightly), so an overdue task exists only once time has
passed. The loader writes the two dates straight into tasking's database (and the gateway's task
view, so dashboards agree before the next event) — the same thing the e2e tests do — and then asks
for a deadline scan, which raises the overdue events through the normal rules (automatic 督办,
scoring deductions, notifications)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import update

from luoshi_gateway.views.models import TaskView
from luoshi_kit.db import make_engine
from luoshi_tasking.tasks.models import Task, TaskScope


@dataclass(frozen=True)
class Backdated:
    task_id: str
    deadline: date
    created: date


async def backdate(tasking_url: str, gateway_url: str, rows: list[Backdated]) -> None:
    if not rows:
        return
    engine = make_engine(tasking_url)
    try:
        async with engine.begin() as conn:
            for row in rows:
                created = datetime.combine(row.created, datetime.min.time(), UTC)
                await conn.execute(
                    update(Task)
                    .where(Task.id == row.task_id)
                    .values(deadline=row.deadline, created_at=created, accepted_at=created)
                )
                await conn.execute(
                    update(TaskScope)
                    .where(TaskScope.task_id == row.task_id)
                    .values(deadline=row.deadline, created_at=created)
                )
    finally:
        await engine.dispose()
    engine = make_engine(gateway_url)
    try:
        async with engine.begin() as conn:
            for row in rows:
                await conn.execute(
                    update(TaskView).where(TaskView.task_id == row.task_id).values(deadline=row.deadline)
                )
    finally:
        await engine.dispose()
