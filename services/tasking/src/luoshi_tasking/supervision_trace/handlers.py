"""Urges and supervision orders (催办/督办) on the task's trace (全程留痕): supervision's urge events about a
task become rows of its trace, next to tasking's own steps. Never commits; the row's id is the event's,
so even past the inbox the same event writes one row."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.supervision.v1 import UrgeAnswered, UrgeEscalated, UrgeEvent, UrgeIssued
from luoshi_tasking.tasks.models import Task, TaskEvent

HANDLERS = HandlerTable()
SYSTEM_ACTOR = "system"  # raised by supervision itself (an automatic urge, an escalation)


def trace_action(event_type: str, data: UrgeEvent) -> str:
    step = event_type.split(".")[2]  # issued | answered | escalated
    return f"{data.urge.kind}_{step}"  # urge_issued, order_escalated, …


def trace_reason(data: UrgeEvent) -> str | None:
    if isinstance(data, UrgeIssued):
        return data.message
    if isinstance(data, UrgeAnswered):
        return f"原因: {data.reason}\n整改措施: {data.plan}"
    if isinstance(data, UrgeEscalated):
        return f"逾期未答复, 由 {data.from_role} 升级至 {data.urge.recipient_role}"
    return None


@HANDLERS.on("supervision.urge.issued.v1", "supervision.urge.answered.v1", "supervision.urge.escalated.v1")
async def on_urge_event(*, session: AsyncSession, event: CloudEvent[UrgeEvent]) -> None:
    data, urge = event.data, event.data.urge
    if urge.task_id is None or await session.get(TaskEvent, event.id) is not None:
        return
    if await session.get(Task, urge.task_id) is None:
        return  # a hand-made urge naming a task this deployment does not hold
    by = getattr(data, "by", None)
    session.add(
        TaskEvent(
            id=event.id,
            task_id=urge.task_id,
            action=trace_action(event.type, data),
            actor_id=by.person_id if by else SYSTEM_ACTOR,
            actor_org=by.org_code if by else urge.issuing_org,
            reason=trace_reason(data),
            detail={"urge": urge.model_dump(mode="json"), "event_type": event.type},
            at=getattr(data, "at", event.time),
        )
    )
