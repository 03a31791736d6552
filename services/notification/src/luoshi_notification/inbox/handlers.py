"""Turns events into inbox entries for the people who must hear about them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_notification.inbox.service import deliver
from luoshi_notification.people.service import people_with_role
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.tasking.v1 import TaskAssigned


async def on_task_assigned(*, session: AsyncSession, event: CloudEvent[TaskAssigned]) -> None:
    """The handlers (具体承办人) of the lead unit and of each co-unit hear of a new task."""
    task = event.data
    units = [task.lead_unit, *task.co_units]
    handlers = await people_with_role(session=session, org_codes=units, role="handler")
    for person in handlers:
        lead = person.org_code == task.lead_unit
        deliver(
            session=session,
            recipient_ids=[person.id],
            kind="task.assigned",
            title=f"{'新交办任务(牵头)' if lead else '新交办任务(协办)'}: {task.title}",
            body=f"完成时限 {task.deadline.isoformat()}; 交办单位 {task.issuing_org}",
            subject=task.task_id,
            org_code=person.org_code,
            event_id=event.id,
        )
