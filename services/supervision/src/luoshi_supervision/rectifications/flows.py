"""The steps after a rectification notice: the unit's progress reports, verification (销号), rejection,
listed supervision (挂牌督办), and what a rejection or an overdue item sets off: a re-inspection (再督查),
a raised inspection frequency (增加督查频次) and a reporting cadence to the unit's government."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.permissions import forbidden
from luoshi_proto.supervision.v1 import (
    ListingChanged,
    RectificationRejected,
    RectificationReported,
    RectificationVerified,
)
from luoshi_supervision.burden.service import raise_frequency
from luoshi_supervision.config import SupervisionSettings
from luoshi_supervision.inspections.lifecycle import actor
from luoshi_supervision.inspections.models import Inspection, InspectionMember
from luoshi_supervision.inspections.planning import schedule_reinspection
from luoshi_supervision.inspections.schemas import Member
from luoshi_supervision.rectifications import rules
from luoshi_supervision.rectifications.lifecycle import move, publish, rectification_ref, trace
from luoshi_supervision.rectifications.models import Rectification, RectificationReport
from luoshi_supervision.rectifications.schemas import ListingIn, ProgressIn, RejectIn
from luoshi_supervision.rectifications.service import OFFICE_DENIED, get_item
from luoshi_supervision.rectifications.workdays import add_working_days


async def report_progress(
    *,
    session: AsyncSession,
    identity: Identity,
    rectification_id: str,
    data: ProgressIn,
    today: date,
) -> tuple[Rectification, RectificationReport]:
    item = await get_item(session=session, identity=identity, rectification_id=rectification_id, lock=True)
    if not rules.is_unit(identity, item.responsible_unit):
        raise forbidden("只有整改责任单位可以报告整改情况 only the responsible unit reports")
    at = move(session=session, item=item, identity=identity, action="submit" if data.final else "report")
    report = RectificationReport(
        id=str(uuid.uuid4()),
        rectification_id=item.id,
        progress=data.progress,
        evidence=data.evidence,
        final=data.final,
        reported_by=identity.person_id,
        reported_org=identity.org_code,
        reported_at=at,
    )
    session.add(report)
    if data.final:
        item.submitted_on = today
    if item.report_cadence_working_days:
        item.next_report_due = add_working_days(today, item.report_cadence_working_days)
    publish(
        session=session,
        item=item,
        data=RectificationReported(
            rectification=rectification_ref(item),
            by=actor(identity),
            at=at,
            report_id=report.id,
            progress=data.progress,
        ),
    )
    await session.flush()
    return item, report


def _office(identity: Identity, item: Rectification) -> None:
    if not rules.is_office_side(identity, item.inspecting_org):
        raise forbidden(OFFICE_DENIED)


def _lift(*, session: AsyncSession, item: Rectification, identity: Identity | None, reason: str) -> None:
    item.listed = False
    now = utcnow()
    trace(session=session, item=item, identity=identity, action="lift", at=now, reason=reason)
    if identity is not None:
        publish(
            session=session,
            item=item,
            event_type="supervision.listing.lifted.v1",
            data=ListingChanged(
                rectification=rectification_ref(item), by=actor(identity), at=now, reason=reason
            ),
        )


async def verify(
    *, session: AsyncSession, identity: Identity, rectification_id: str, comment: str
) -> Rectification:
    item = await get_item(session=session, identity=identity, rectification_id=rectification_id, lock=True)
    _office(identity, item)
    at = move(session=session, item=item, identity=identity, action="verify", reason=comment or None)
    item.verified_at = at
    item.next_report_due = None
    if item.listed:
        _lift(
            session=session,
            item=item,
            identity=identity,
            reason="整改销号, 自动摘牌 verified: listing lifted",
        )
    publish(
        session=session,
        item=item,
        data=RectificationVerified(
            rectification=rectification_ref(item),
            by=actor(identity),
            at=at,
            on_time=rules.on_time(item.submitted_on, item.deadline),
        ),
    )
    return item


async def escalate(
    *,
    session: AsyncSession,
    identity: Identity | None,
    item: Rectification,
    today: date,
    settings: SupervisionSettings,
    reason: str,
) -> str | None:
    """再督查 (unless one is still planned), raised frequency and the reporting cadence; the new
    re-inspection's id, or None when one was already planned."""
    await raise_frequency(
        session=session,
        org_code=item.responsible_unit,
        today=today,
        days=settings.frequency_raised_days,
        reason=reason,
        rectification_id=item.id,
    )
    item.report_cadence_working_days = settings.report_cadence_working_days
    item.next_report_due = add_working_days(today, settings.report_cadence_working_days)
    planned = await session.scalar(
        select(Inspection.id).where(Inspection.rectification_id == item.id, Inspection.state == "planned")
    )
    if planned:
        return None
    team: list[Member] = []
    if item.inspection_id:
        rows = await session.scalars(
            select(InspectionMember).where(
                InspectionMember.inspection_id == item.inspection_id,
                InspectionMember.role.in_(("inspector", "leader")),
            )
        )
        team = [Member(person_id=m.person_id, role="inspector") for m in rows]
    loaded = await schedule_reinspection(
        session=session,
        identity=identity,
        inspecting_org=item.inspecting_org,
        unit=item.responsible_unit,
        rectification_id=item.id,
        title=item.title,
        team=team,
        start=today,
        end=add_working_days(today, settings.reinspection_working_days),
    )
    item.reinspection_ids = [*(item.reinspection_ids or []), loaded.inspection.id]
    return loaded.inspection.id


async def reject(
    *,
    session: AsyncSession,
    identity: Identity,
    rectification_id: str,
    data: RejectIn,
    today: date,
    settings: SupervisionSettings,
) -> Rectification:
    item = await get_item(session=session, identity=identity, rectification_id=rectification_id, lock=True)
    _office(identity, item)
    at = move(session=session, item=item, identity=identity, action="reject", reason=data.reason)
    item.rejections += 1
    item.submitted_on = None
    if data.new_working_days:
        item.deadline = add_working_days(today, data.new_working_days)
        item.working_days = data.new_working_days
    await escalate(
        session=session,
        identity=identity,
        item=item,
        today=today,
        settings=settings,
        reason=f"整改不到位 rejected: {data.reason}",
    )
    publish(
        session=session,
        item=item,
        data=RectificationRejected(
            rectification=rectification_ref(item), by=actor(identity), at=at, reason=data.reason
        ),
    )
    return item


async def change_listing(
    *, session: AsyncSession, identity: Identity, rectification_id: str, data: ListingIn
) -> Rectification:
    item = await get_item(session=session, identity=identity, rectification_id=rectification_id, lock=True)
    _office(identity, item)
    if data.action == "place":
        if item.listed or item.state == "verified":
            raise Problem(409, "conflict", "状态冲突 Conflict", "已挂牌或已销号 already listed or verified")
        item.listed, item.listed_reason = True, data.reason
        now = utcnow()
        trace(session=session, item=item, identity=identity, action="place", at=now, reason=data.reason)
        publish(
            session=session,
            item=item,
            event_type="supervision.listing.placed.v1",
            data=ListingChanged(
                rectification=rectification_ref(item), by=actor(identity), at=now, reason=data.reason
            ),
        )
    else:
        if not item.listed:
            raise Problem(409, "conflict", "状态冲突 Conflict", "未挂牌督办 not listed")
        _lift(session=session, item=item, identity=identity, reason=data.reason)
    item.updated_at = utcnow()
    return item


def overdue_now(item: Rectification, today: date) -> bool:
    return rules.is_overdue(state=item.state, deadline=item.deadline, today=today)
