"""Findings and rectification: keyword-only use cases that never commit (the route or the scan owns the
transaction)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.errors import Problem, not_found
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_kit.orgtree import within_subtree
from luoshi_kit.paging import PageParams, fetch_page
from luoshi_kit.permissions import forbidden
from luoshi_kit.scope import require_in_scope
from luoshi_proto.divisions import is_within
from luoshi_proto.supervision.v1 import FindingRecorded, FindingRef, ListingChanged, RectificationOrdered
from luoshi_supervision.inspections.lifecycle import SOURCE, actor
from luoshi_supervision.inspections.models import Inspection
from luoshi_supervision.inspections.queries import get_visible
from luoshi_supervision.inspections.rules import only_outside_roles
from luoshi_supervision.rectifications import rules
from luoshi_supervision.rectifications.lifecycle import publish, rectification_ref, trace
from luoshi_supervision.rectifications.models import Finding, Rectification
from luoshi_supervision.rectifications.schemas import FindingCreate, RectificationOrder
from luoshi_supervision.rectifications.workdays import add_working_days

FINDING = "问题 Finding"
RECTIFICATION = "整改事项 Rectification"
OFFICE_DENIED = (
    "只有组织督查的单位 (督查室、主要或分管负责同志) 可以下达、核查整改 the inspecting office only"
)


def visible_rectifications(identity: Identity) -> ColumnElement[bool]:
    if only_outside_roles(identity):
        return false()
    return or_(
        within_subtree(Rectification.responsible_unit, identity.org_code),
        within_subtree(Rectification.inspecting_org, identity.org_code),
    )


def sees(identity: Identity, *orgs: str) -> bool:
    return not only_outside_roles(identity) and any(identity.can_see(o) for o in orgs)


async def add_finding(
    *,
    session: AsyncSession,
    identity: Identity,
    inspecting_org: str,
    org_code: str,
    title: str,
    description: str = "",
    inspection_id: str | None = None,
    task_id: str | None = None,
) -> Finding:
    """Record a finding (问题) and announce it; callers have checked who may (a clue's triage reuses it)."""
    finding = Finding(
        id=str(uuid.uuid4()),
        inspection_id=inspection_id,
        task_id=task_id,
        org_code=org_code,
        inspecting_org=inspecting_org,
        title=title,
        description=description,
        created_by=identity.person_id,
    )
    session.add(finding)
    await session.flush()
    ref = FindingRef(
        finding_id=finding.id,
        title=title,
        org_code=org_code,
        inspection_id=inspection_id,
        task_id=task_id,
        inspecting_org=inspecting_org,
    )
    add_event(
        session=session,
        source=SOURCE,
        orgcode=org_code,
        subject=finding.id,
        data=FindingRecorded(finding=ref, by=actor(identity), at=finding.created_at),
    )
    return finding


async def record_finding(*, session: AsyncSession, identity: Identity, data: FindingCreate) -> Finding:
    loaded = await get_visible(
        session=session, identity=identity, inspection_id=data.inspection_id, lock=True
    )
    inspection: Inspection = loaded.inspection
    if not (
        identity.has_any(*rules.FINDING_ROLES) and identity.can_see(inspection.inspecting_org)
    ) and loaded.role_of(identity.person_id) not in ("inspector", "leader"):
        raise forbidden(
            "只有督查组或组织督查的单位可以记录问题 the team or the inspecting side records findings"
        )
    if inspection.state not in ("conducted", "reported"):
        raise Problem(
            409,
            "illegal-transition",
            "当前状态不允许此操作 Illegal transition",
            "督查实施后才能记录问题 findings follow the conducted inspection",
        )
    if not any(is_within(data.org_code, t) for t in loaded.targets):
        raise Problem(
            422,
            "validation",
            "输入有误 Invalid input",
            "问题所在单位须为被督查单位或其下级 the unit must be a target or lie below one",
        )
    inspection.findings_count += 1
    return await add_finding(
        session=session,
        identity=identity,
        inspecting_org=inspection.inspecting_org,
        org_code=data.org_code,
        title=data.title,
        description=data.description,
        inspection_id=inspection.id,
        task_id=data.task_id,
    )


async def get_finding(*, session: AsyncSession, identity: Identity, finding_id: str) -> Finding:
    finding = await session.get(Finding, finding_id) if len(finding_id) <= 36 else None
    if finding is None or not sees(identity, finding.org_code, finding.inspecting_org):
        raise not_found(FINDING)
    return finding


async def list_findings(
    *,
    session: AsyncSession,
    identity: Identity,
    params: PageParams,
    inspection_id: str | None,
    org: str | None,
) -> tuple[list[Finding], int]:
    if only_outside_roles(identity):
        return [], 0
    query = select(Finding).where(
        or_(
            within_subtree(Finding.org_code, identity.org_code),
            within_subtree(Finding.inspecting_org, identity.org_code),
        )
    )
    if inspection_id:
        query = query.where(Finding.inspection_id == inspection_id)
    if org:
        require_in_scope(identity, org)
        query = query.where(within_subtree(Finding.org_code, org))
    rows, total, _ = await fetch_page(session, query.order_by(Finding.created_at.desc(), Finding.id), params)
    return rows, total


async def order(
    *, session: AsyncSession, identity: Identity, finding_id: str, data: RectificationOrder, today: date
) -> Rectification:
    """整改通知: the finding becomes a rectification item (one per finding)."""
    finding = await get_finding(session=session, identity=identity, finding_id=finding_id)
    if not rules.is_office_side(identity, finding.inspecting_org):
        raise forbidden(OFFICE_DENIED)
    existing = await session.scalar(select(Rectification.id).where(Rectification.finding_id == finding.id))
    if existing:
        raise Problem(
            409, "conflict", "状态冲突 Conflict", f"此问题已下达整改通知 already ordered: {existing}"
        )
    item_id = str(uuid.uuid4())
    item = Rectification(
        id=item_id,
        finding_id=finding.id,
        notice_no=rules.notice_no(today.year, item_id[:8]),
        title=finding.title,
        responsible_unit=finding.org_code,
        inspecting_org=finding.inspecting_org,
        inspection_id=finding.inspection_id,
        task_id=finding.task_id,
        leading_leader=data.leading_leader,
        requirements=data.requirements,
        working_days=data.working_days,
        deadline=add_working_days(today, data.working_days),
        state="rectifying",
        listed=data.listed,
        listed_reason=data.listed_reason if data.listed else None,
        rejections=0,
        reinspection_ids=[],
        created_by=identity.person_id,
    )
    session.add(item)
    await session.flush()
    trace(
        session=session,
        item=item,
        identity=identity,
        action="order",
        at=item.created_at,
        detail={"deadline": item.deadline.isoformat(), "listed": item.listed},
    )
    by = actor(identity)
    publish(
        session=session,
        item=item,
        data=RectificationOrdered(
            rectification=rectification_ref(item), by=by, at=item.created_at, requirements=item.requirements
        ),
    )
    if item.listed:
        publish(
            session=session,
            item=item,
            event_type="supervision.listing.placed.v1",
            data=ListingChanged(
                rectification=rectification_ref(item), by=by, at=item.created_at, reason=item.listed_reason
            ),
        )
    return item


async def get_item(
    *, session: AsyncSession, identity: Identity, rectification_id: str, lock: bool = False
) -> Rectification:
    item = (
        await session.get(Rectification, rectification_id, with_for_update=lock)
        if len(rectification_id) <= 36
        else None
    )
    if item is None or not sees(identity, item.responsible_unit, item.inspecting_org):
        raise not_found(RECTIFICATION)
    return item


async def list_items(
    *,
    session: AsyncSession,
    identity: Identity,
    params: PageParams,
    today: date,
    state: str | None = None,
    listed: bool | None = None,
    overdue: bool | None = None,
    org: str | None = None,
) -> tuple[list[Rectification], int]:
    query = select(Rectification).where(visible_rectifications(identity))
    if org:
        require_in_scope(identity, org)
        query = query.where(within_subtree(Rectification.responsible_unit, org))
    if state:
        query = query.where(Rectification.state == state)
    if listed is not None:
        query = query.where(Rectification.listed == listed)
    if overdue is True:
        query = query.where(Rectification.state == "rectifying", Rectification.deadline < today)
    elif overdue is False:
        query = query.where(or_(Rectification.state != "rectifying", Rectification.deadline >= today))
    rows, total, _ = await fetch_page(
        session, query.order_by(Rectification.deadline, Rectification.id), params
    )
    return rows, total
