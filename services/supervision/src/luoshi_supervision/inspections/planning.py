"""Scheduling an inspection (督查安排): scope, the plan's rules, exemptions (免督查), the burden rules
(overlap, cap) and the representatives' yearly limit, then the rows, the trace and the event together."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.errors import Problem, not_found
from luoshi_kit.identity import Identity
from luoshi_kit.scope import require_in_scope
from luoshi_supervision.burden import service as burden
from luoshi_supervision.config import SupervisionSettings
from luoshi_supervision.exemptions import service as exemptions
from luoshi_supervision.inspections import rules
from luoshi_supervision.inspections.lifecycle import announce_scheduled, trace
from luoshi_supervision.inspections.models import (
    Inspection,
    InspectionMember,
    InspectionPlan,
    InspectionTarget,
)
from luoshi_supervision.inspections.queries import Loaded, load
from luoshi_supervision.inspections.schemas import InspectionCreate, Member


async def representatives_count(*, session: AsyncSession, org: str, year: int) -> int:
    query = select(func.count()).where(
        Inspection.inspecting_org == org,
        Inspection.kind == "representatives",
        Inspection.state != "cancelled",
        Inspection.planned_start >= date(year, 1, 1),
        Inspection.planned_start <= date(year, 12, 31),
    )
    return int(await session.scalar(query) or 0)


async def _check_burden(
    *, session: AsyncSession, data: InspectionCreate, key: str, today: date, settings: SupervisionSettings
) -> Inspection | None:
    """The inspection to merge into, or None; raises when the plan overlaps or exceeds the cap."""
    clash = await burden.overlapping(
        session=session,
        orgs=data.target_orgs,
        subject_key=key,
        start=data.planned_start,
        end=data.planned_end,
    )
    if clash:
        others = sorted({i.id for i, _org in clash})
        units = sorted({org for _i, org in clash})
        first = clash[0][0]
        if data.on_overlap == "merge" and len(others) == 1 and first.state == "planned":
            return first
        raise Problem(
            409,
            "inspection-overlap",
            "督查重叠 Overlapping inspection",
            f"同一单位同一事项同期已有督查, 请合并 (on_overlap=merge) 或调整: {', '.join(others)} "
            f"(单位 {', '.join(units)}) — an inspection of the same unit on the same subject "
            "overlaps this period",
            inspections=others,
            units=units,
        )
    counts = await burden.routine_counts(session=session, orgs=data.target_orgs, year=data.planned_start.year)
    caps = await burden.caps(session=session, orgs=data.target_orgs, today=today, settings=settings)
    full = [org for org in data.target_orgs if counts.get(org, 0) >= caps[org]]
    if full:
        raise Problem(
            422,
            "inspection-cap",
            "督查次数已达上限 Inspection cap reached",
            f"以下单位本年度常规督查已达上限 ({', '.join(f'{o}: {caps[o]}' for o in full)}), 减轻基层负担; "
            "暗访、线索驱动督查和再督查不受此限 — these units reached this year's cap of routine inspections",
            units=full,
        )
    return None


async def _merge(
    *, session: AsyncSession, into: Inspection, data: InspectionCreate, identity: Identity
) -> Loaded:
    loaded = await load(session, into)
    into.task_ids = sorted(set(into.task_ids or []) | set(data.task_ids))
    have = set(loaded.member_ids)
    for m in data.team:
        if m.person_id not in have:
            session.add(InspectionMember(inspection_id=into.id, person_id=m.person_id, role=m.role))
    into.updated_at = utcnow()
    trace(
        session=session,
        inspection=into,
        identity=identity,
        action="merge",
        at=into.updated_at,
        reason="同一单位同一事项同期督查合并 merged an overlapping inspection (减轻基层负担)",
        detail={"title": data.title, "task_ids": data.task_ids, "team": [m.person_id for m in data.team]},
    )
    await session.flush()
    return await load(session, into)


async def create_inspection(
    *,
    session: AsyncSession,
    identity: Identity,
    data: InspectionCreate,
    today: date,
    settings: SupervisionSettings,
) -> tuple[Loaded, bool]:
    """Schedule an inspection for the caller's organisation; (the inspection, whether it was merged)."""
    organiser = identity.org_code
    require_in_scope(identity, *data.target_orgs, *data.inspector_units)
    if data.plan_id is not None:
        plan = await session.get(InspectionPlan, data.plan_id)
        if plan is None or not identity.can_see(plan.org_code):
            raise not_found("年度督查计划 Inspection plan")
        if plan.org_code != organiser:
            raise rules.invalid(["只能按本单位的年度督查计划安排 the plan belongs to another organisation"])
    errors = rules.plan_errors(
        kind=data.kind,
        organiser=organiser,
        targets=data.target_orgs,
        task_ids=data.task_ids,
        inspector_units=data.inspector_units,
        leader_id=data.leader_id,
        member_roles=[m.role for m in data.team],
        planned_start=data.planned_start,
        planned_end=data.planned_end,
        today=today,
    )
    if errors:
        raise rules.invalid(errors)
    if rules.exemption_blocks(data.kind, data.clue_id):
        exempt = await exemptions.blocking(
            session=session, orgs=data.target_orgs, start=data.planned_start, end=data.planned_end
        )
        if exempt:
            raise exemptions.refuse(exempt)
    if data.kind == "representatives":
        held = await representatives_count(session=session, org=organiser, year=data.planned_start.year)
        if held >= settings.representatives_max_per_year:
            raise rules.invalid(
                [
                    f"两代表一委员现场督查每年 1–2 次, 本年度已有 {held} 次 at most "
                    f"{settings.representatives_max_per_year} a year"
                ]
            )
    key = rules.subject_key(data.subject_kind, data.subject)
    if rules.is_routine(data.kind, data.clue_id):
        into = await _check_burden(session=session, data=data, key=key, today=today, settings=settings)
        if into is not None:
            if into.inspecting_org != organiser:
                raise rules.invalid(
                    ["重叠的督查由其他单位组织, 不能合并 the overlapping inspection is another office's"]
                )
            return await _merge(session=session, into=into, data=data, identity=identity), True
    inspection = Inspection(
        id=str(uuid.uuid4()),
        title=data.title,
        kind=data.kind,
        subject_kind=data.subject_kind,
        subject=data.subject,
        subject_key=key,
        description=data.description,
        inspecting_org=organiser,
        unannounced=data.kind == "unannounced",
        plan_id=data.plan_id,
        clue_id=data.clue_id,
        task_ids=list(data.task_ids),
        inspector_units=list(data.inspector_units),
        leader_id=data.leader_id,
        planned_start=data.planned_start,
        planned_end=data.planned_end,
        state="planned",
        created_by=identity.person_id,
    )
    return await _insert(
        session=session, inspection=inspection, targets=data.target_orgs, team=data.team, identity=identity
    ), False


async def _insert(
    *,
    session: AsyncSession,
    inspection: Inspection,
    targets: list[str],
    team: list[Member],
    identity: Identity | None,
) -> Loaded:
    session.add(inspection)
    await session.flush()
    session.add_all(InspectionTarget(inspection_id=inspection.id, org_code=t) for t in targets)
    session.add_all(
        InspectionMember(inspection_id=inspection.id, person_id=m.person_id, role=m.role) for m in team
    )
    announce_scheduled(
        session=session, inspection=inspection, targets=targets, identity=identity, at=utcnow()
    )
    await session.flush()
    return await load(session, inspection)


async def schedule_reinspection(
    *,
    session: AsyncSession,
    identity: Identity | None,
    inspecting_org: str,
    unit: str,
    rectification_id: str,
    title: str,
    team: list[Member],
    start: date,
    end: date,
) -> Loaded:
    """再督查 of a rejected or overdue rectification, scheduled by the system (never refused: exemptions,
    the cap and the overlap rule do not apply to it)."""
    inspection = Inspection(
        id=str(uuid.uuid4()),
        title=f"再督查: {title}"[:200],
        kind="re_inspection",
        subject_kind="theme",
        subject=f"整改 {rectification_id}",
        subject_key=rules.subject_key("theme", f"整改 {rectification_id}"),
        description="整改不到位或逾期未整改, 依规再督查 re-inspection of a rejected or overdue rectification",
        inspecting_org=inspecting_org,
        unannounced=False,
        rectification_id=rectification_id,
        task_ids=[],
        inspector_units=[],
        planned_start=start,
        planned_end=end,
        state="planned",
        created_by=identity.person_id if identity else "system",
    )
    return await _insert(session=session, inspection=inspection, targets=[unit], team=team, identity=identity)
