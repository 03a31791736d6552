"""Urges and supervision orders (催办/督办) on a task's timeline: supervision's urge events that name a task
become timeline entries beside tasking's. Never commits; the entry's key is the event id (idempotent)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.views.models import TimelineEntry
from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.supervision.v1 import UrgeAnswered, UrgeEscalated, UrgeEvent, UrgeIssued

HANDLERS = HandlerTable()
URGE_EVENTS = ("supervision.urge.issued.v1", "supervision.urge.answered.v1", "supervision.urge.escalated.v1")
_KIND = {"urge": "催办", "order": "督办"}
_ROLE = {"handler": "承办人", "deputy": "分管负责同志", "principal": "主要负责同志", "office": "上级督查室"}


def urge_summary(data: UrgeEvent) -> str:
    """How an urge event reads on a task's timeline."""
    urge = data.urge
    kind = _KIND[urge.kind]
    if isinstance(data, UrgeIssued):
        how = "自动" if urge.automatic else ""
        due = urge.answer_due.isoformat()
        return f"{how}{kind} ({_ROLE[urge.recipient_role]}, {due} 前答复): {data.message}"
    if isinstance(data, UrgeAnswered):
        return f"{kind}已答复 — 原因: {data.reason}; 整改措施: {data.plan}"
    if isinstance(data, UrgeEscalated):
        return f"{kind}逾期未答复, 由{_ROLE[data.from_role]}升级至{_ROLE[urge.recipient_role]}"
    return kind


@HANDLERS.on(*URGE_EVENTS)
async def on_urge_event(*, session: AsyncSession, event: CloudEvent[UrgeEvent]) -> None:
    data, urge = event.data, event.data.urge
    if urge.task_id is None or await session.get(TimelineEntry, event.id) is not None:
        return
    by = getattr(data, "by", None)
    session.add(
        TimelineEntry(
            event_id=event.id,
            task_id=urge.task_id,
            at=event.time,
            event_type=event.type,
            source=event.source.rsplit("/", 1)[-1],
            actor_id=by.person_id if by else None,
            org_code=event.orgcode,
            summary=urge_summary(data),
            data=data.model_dump(mode="json"),
        )
    )
