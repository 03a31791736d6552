"""Keeps the supervision read models of the dashboards up to date. Never commits; an older event arriving
late changes nothing (the kit's inbox already skips a redelivered one)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.views.supervision_models import RectificationView, RepresentativesInspection
from luoshi_gateway.views.timeline_supervision import rectification_entry
from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.supervision.v1 import InspectionScheduled, RectificationEvent

SUPERVISION_VIEW_HANDLERS = HandlerTable()

RECTIFICATION_EVENTS = (
    "supervision.rectification.ordered.v1",
    "supervision.rectification.reported.v1",
    "supervision.rectification.verified.v1",
    "supervision.rectification.rejected.v1",
    "supervision.rectification.overdue.v1",
    "supervision.listing.placed.v1",
    "supervision.listing.lifted.v1",
)


@SUPERVISION_VIEW_HANDLERS.on(*RECTIFICATION_EVENTS)
async def on_rectification(*, session: AsyncSession, event: CloudEvent[RectificationEvent]) -> None:
    ref = event.data.rectification
    await rectification_entry(session=session, event=event)  # on the task's timeline, if it names one
    view = await session.get(RectificationView, ref.rectification_id)
    if view is None:
        view = RectificationView(rectification_id=ref.rectification_id, state="open", overdue=False)
        session.add(view)
    elif view.updated_at > event.time:
        return
    view.title, view.responsible_unit, view.inspecting_org = (
        ref.title,
        ref.responsible_unit,
        ref.inspecting_org,
    )
    view.task_id, view.deadline, view.listed, view.updated_at = (
        ref.task_id,
        ref.deadline,
        ref.listed,
        event.time,
    )
    if event.type == "supervision.listing.placed.v1":
        view.listed, view.listed_reason = True, getattr(event.data, "reason", None)
    elif event.type == "supervision.listing.lifted.v1":
        view.listed = False
    elif event.type == "supervision.rectification.verified.v1":
        view.state, view.overdue = "verified", False
    elif event.type == "supervision.rectification.overdue.v1":
        view.overdue = True
    elif event.type in ("supervision.rectification.rejected.v1", "supervision.rectification.ordered.v1"):
        view.state = "open"


@SUPERVISION_VIEW_HANDLERS.on("supervision.inspection.scheduled.v1")
async def on_inspection_scheduled(*, session: AsyncSession, event: CloudEvent[InspectionScheduled]) -> None:
    ref = event.data.inspection
    if ref.kind != "representatives":
        return
    if await session.get(RepresentativesInspection, ref.inspection_id) is None:
        session.add(
            RepresentativesInspection(
                inspection_id=ref.inspection_id, org_code=ref.inspecting_org, year=ref.planned_start.year
            )
        )
