"""Supervision on a task's timeline: urges and supervision orders (催办/督办), and the inspections, findings
and rectification items (督查, 问题, 整改) that name the task become timeline entries beside tasking's. An
inspection appears from ``conducted`` on (a 暗访 must not show before it to the unit whose task it is). Never
commits; the entry's key is the event id (idempotent), for an inspection naming several tasks one derived
from the event id and the task."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.views.models import TimelineEntry
from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.supervision.v1 import (
    FindingRecorded,
    InspectionConducted,
    InspectionEvent,
    InspectionReported,
    RectificationEvent,
    UrgeAnswered,
    UrgeEscalated,
    UrgeEvent,
    UrgeIssued,
)

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
    task_id = event.data.urge.task_id
    if task_id is not None:
        await add_entry(session=session, event=event, task_id=task_id, summary=urge_summary(event.data))


INSPECTION_EVENTS = ("supervision.inspection.conducted.v1", "supervision.inspection.reported.v1")
_RECTIFICATION = {
    "supervision.rectification.ordered.v1": "整改通知",
    "supervision.rectification.reported.v1": "整改情况报告",
    "supervision.rectification.verified.v1": "整改销号",
    "supervision.rectification.rejected.v1": "整改不到位, 退回",
    "supervision.rectification.overdue.v1": "整改逾期",
    "supervision.listing.placed.v1": "挂牌督办",
    "supervision.listing.lifted.v1": "摘牌",
}


async def add_entry(
    *, session: AsyncSession, event: CloudEvent[Any], task_id: str, summary: str, key: str | None = None
) -> None:
    """One timeline entry of ``task_id`` for a supervision event (once: a redelivery finds it there)."""
    event_id = key or event.id
    if await session.get(TimelineEntry, event_id) is not None:
        return
    by = getattr(event.data, "by", None)
    data: BaseModel = event.data
    session.add(
        TimelineEntry(
            event_id=event_id,
            task_id=task_id,
            at=event.time,
            event_type=event.type,
            source=event.source.rsplit("/", 1)[-1],
            actor_id=by.person_id if by else None,
            org_code=event.orgcode,
            summary=summary,
            data=data.model_dump(mode="json"),
        )
    )


@HANDLERS.on(*INSPECTION_EVENTS)
async def on_inspection_event(*, session: AsyncSession, event: CloudEvent[InspectionEvent]) -> None:
    data, ref = event.data, event.data.inspection
    what = "督查实施" if isinstance(data, InspectionConducted) else "督查报告"
    if isinstance(data, InspectionReported):
        what += f" (问题 {data.findings} 个)"
    several = len(ref.task_ids) > 1
    for task_id in ref.task_ids:
        key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{event.id}/{task_id}")) if several else None
        await add_entry(
            session=session, event=event, task_id=task_id, summary=f"{what}: {ref.title}", key=key
        )


@HANDLERS.on("supervision.finding.recorded.v1")
async def on_finding(*, session: AsyncSession, event: CloudEvent[FindingRecorded]) -> None:
    ref = event.data.finding
    if ref.task_id:
        await add_entry(
            session=session, event=event, task_id=ref.task_id, summary=f"督查发现问题: {ref.title}"
        )


async def rectification_entry(*, session: AsyncSession, event: CloudEvent[RectificationEvent]) -> None:
    """Called by the rectification view's handler (one handler per event type)."""
    ref = event.data.rectification
    if ref.task_id:
        what = _RECTIFICATION.get(event.type, "整改")
        await add_entry(session=session, event=event, task_id=ref.task_id, summary=f"{what}: {ref.title}")
