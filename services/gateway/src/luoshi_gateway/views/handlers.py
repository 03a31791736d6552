"""Keeps the timeline and task views up to date from tasking's events. Never commits."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.views.models import TaskView, TimelineEntry
from luoshi_gateway.views.rules import TASK_EVENTS, actor_of, summary
from luoshi_gateway.views.summaries import apply, contribution, deltas
from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_kit.timebase import business_date
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.tasking.v1 import TaskEvent, TaskProgressReported

HANDLERS = HandlerTable()


@HANDLERS.on(*TASK_EVENTS)
async def on_task_event(*, session: AsyncSession, event: CloudEvent[TaskEvent]) -> None:
    data, ref = event.data, event.data.task
    session.add(
        TimelineEntry(
            event_id=event.id,
            task_id=ref.task_id,
            at=event.time,
            event_type=event.type,
            source=event.source.rsplit("/", 1)[-1],
            actor_id=actor_of(data),
            org_code=event.orgcode,
            summary=summary(event.type, data),
            data=data.model_dump(mode="json"),
        )
    )
    view = await session.get(TaskView, ref.task_id)
    before, before_unit = contribution(view), view.lead_unit if view else None
    if view is None:
        view = TaskView(
            task_id=ref.task_id,
            state="assigned",
            co_units=[],
            progress_percent=0,
            overdue=False,
            lagging=False,
        )
        session.add(view)
    elif view.updated_at > event.time and event.type != "tasking.task.assigned.v1":
        return  # an older event arriving late: the timeline has it, the view is already newer
    view.title, view.issuing_org, view.lead_unit = ref.title, ref.issuing_org, ref.lead_unit
    view.deadline, view.parent_id, view.updated_at = ref.deadline, ref.parent_id, event.time
    view.co_units = list(ref.co_units)
    new_state = TASK_EVENTS.get(event.type, ("", None))[1]
    if new_state:
        view.state = new_state
    if isinstance(data, TaskProgressReported):
        view.progress_percent = data.progress_percent
        # The task's colour after the report (tasking computes it); an older event without it clears the
        # warning until the engine raises it again.
        view.lagging = bool(data.lagging)
    if event.type == "tasking.task.completed.v1":
        view.completed_on = business_date(event.time)
    if event.type == "tasking.task.reopened.v1":
        view.completed_on = None
    if event.type == "tasking.task.overdue.v1":
        view.overdue = True
    if event.type == "tasking.task.lagging.v1":
        view.lagging = True
    if event.type == "tasking.task.deadline_extended.v1" and ref.deadline >= business_date(event.time):
        view.overdue = False  # the approved deadline is in the future again
    await apply(session=session, changes=deltas(before, before_unit, contribution(view), view.lead_unit))
