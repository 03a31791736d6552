"""Automatic urges from tasking's deadline alerts: a lagging task gets an urge (催办) to its handler, an
overdue one a supervision order (督办) to its principal — exactly once per alert occurrence. Never commits."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.tasking.v1 import TaskDeadlineAlert, TaskStateChanged
from luoshi_supervision.config import SupervisionSettings
from luoshi_supervision.urges import service

HANDLERS = HandlerTable()


@lru_cache(maxsize=1)
def _settings() -> SupervisionSettings:
    return SupervisionSettings()


@HANDLERS.on("tasking.task.lagging.v1")
async def on_task_lagging(*, session: AsyncSession, event: CloudEvent[TaskDeadlineAlert]) -> None:
    data = event.data
    await service.open_automatic(
        session=session,
        kind="urge",
        task=data.task,
        occurrence=data.occurrence,
        due=data.due,
        at=event.time,
        answer_hours=_settings().urge_answer_working_hours,
    )


@HANDLERS.on("tasking.task.overdue.v1")
async def on_task_overdue(*, session: AsyncSession, event: CloudEvent[TaskDeadlineAlert]) -> None:
    data = event.data
    await service.open_automatic(
        session=session,
        kind="order",
        task=data.task,
        occurrence=data.occurrence,
        due=data.due,
        at=event.time,
        answer_hours=_settings().order_answer_working_hours,
    )


@HANDLERS.on("tasking.task.completed.v1", "tasking.task.cancelled.v1")
async def on_task_finished(*, session: AsyncSession, event: CloudEvent[TaskStateChanged]) -> None:
    """A completed or cancelled task's open urges are closed: nothing left to answer or escalate."""
    await service.close_for_task(session=session, task_id=event.data.task.task_id, at=event.time)
