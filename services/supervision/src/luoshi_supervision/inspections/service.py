"""Inspections after scheduling: lists, one inspection, its steps (conduct, report, cancel), its trace, the
export. Keyword-only, never commits (the route owns the transaction)."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.orgtree import within_subtree
from luoshi_kit.paging import PageParams, fetch_page
from luoshi_kit.permissions import forbidden
from luoshi_kit.scope import require_in_scope
from luoshi_supervision.inspections import rules
from luoshi_supervision.inspections.lifecycle import step
from luoshi_supervision.inspections.models import Inspection, InspectionTarget, InspectionTrace
from luoshi_supervision.inspections.queries import Loaded, get_visible, load, visible_to
from luoshi_supervision.inspections.schemas import InspectionOut, Member

ACT_DENIED = "只有督查组成员或组织督查的单位可以实施和报告督查 only the team or the inspecting side acts"
EXPORT_COLUMNS = (
    "id",
    "title",
    "kind",
    "inspecting_org",
    "target_orgs",
    "planned_start",
    "planned_end",
    "state",
)


def inspection_out(loaded: Loaded, *, merged: bool = False) -> InspectionOut:
    i = loaded.inspection
    return InspectionOut(
        id=i.id,
        title=i.title,
        kind=i.kind,
        subject_kind=i.subject_kind,
        subject=i.subject,
        description=i.description,
        inspecting_org=i.inspecting_org,
        unannounced=i.unannounced,
        plan_id=i.plan_id,
        clue_id=i.clue_id,
        rectification_id=i.rectification_id,
        target_orgs=loaded.targets,
        task_ids=list(i.task_ids or []),
        inspector_units=list(i.inspector_units or []),
        leader_id=i.leader_id,
        team=[Member(person_id=m.person_id, role=m.role) for m in loaded.members],  # type: ignore[arg-type]
        planned_start=i.planned_start,
        planned_end=i.planned_end,
        state=i.state,
        conducted_on=i.conducted_on,
        conducted_summary=i.conducted_summary,
        report=i.report,
        findings_count=i.findings_count,
        created_by=i.created_by,
        created_at=i.created_at,
        merged=merged,
    )


def may_act(identity: Identity, loaded: Loaded, *, roles: tuple[str, ...]) -> bool:
    """The inspecting side, or a team member holding one of ``roles`` in the team."""
    if rules.is_inspecting_side(identity, loaded.inspection.inspecting_org) and not rules.only_outside_roles(
        identity
    ):
        return True
    return loaded.role_of(identity.person_id) in roles


async def list_inspections(
    *,
    session: AsyncSession,
    identity: Identity,
    offset: int,
    limit: int,
    state: str | None = None,
    kind: str | None = None,
    org: str | None = None,
    plan_id: str | None = None,
) -> tuple[list[Loaded], int]:
    query = select(Inspection).where(visible_to(identity))
    if org is not None:
        require_in_scope(identity, org)
        query = query.where(
            exists().where(
                InspectionTarget.inspection_id == Inspection.id,
                within_subtree(InspectionTarget.org_code, org),
            )
        )
    if state:
        query = query.where(Inspection.state == state)
    if kind:
        query = query.where(Inspection.kind == kind)
    if plan_id:
        query = query.where(Inspection.plan_id == plan_id)
    rows, total, _estimated = await fetch_page(
        session, query.order_by(Inspection.planned_start.desc(), Inspection.id), PageParams(offset, limit)
    )
    return [await load(session, r) for r in rows], total


async def conduct(
    *,
    session: AsyncSession,
    identity: Identity,
    inspection_id: str,
    conducted_on: date,
    summary: str,
    today: date,
) -> Loaded:
    loaded = await get_visible(session=session, identity=identity, inspection_id=inspection_id, lock=True)
    if not may_act(identity, loaded, roles=("inspector", "leader", "assessor", "representative")):
        raise forbidden(ACT_DENIED)
    if conducted_on > today:
        raise Problem(
            422, "validation", "输入有误 Invalid input", "实施日期不能晚于今天 conducted_on is in the future"
        )
    loaded.inspection.conducted_summary = summary
    step(
        session=session,
        inspection=loaded.inspection,
        targets=loaded.targets,
        identity=identity,
        action="conduct",
        conducted_on=conducted_on,
    )
    return loaded


async def report(*, session: AsyncSession, identity: Identity, inspection_id: str, text: str) -> Loaded:
    loaded = await get_visible(session=session, identity=identity, inspection_id=inspection_id, lock=True)
    if not may_act(identity, loaded, roles=("inspector", "leader", "assessor")):
        raise forbidden(ACT_DENIED)
    loaded.inspection.report = text
    step(
        session=session,
        inspection=loaded.inspection,
        targets=loaded.targets,
        identity=identity,
        action="report",
    )
    return loaded


async def cancel(*, session: AsyncSession, identity: Identity, inspection_id: str, reason: str) -> Loaded:
    loaded = await get_visible(session=session, identity=identity, inspection_id=inspection_id, lock=True)
    if not (identity.has_any(*rules.ORGANISING_ROLES) and identity.can_see(loaded.inspection.inspecting_org)):
        raise forbidden("只有组织督查的单位可以撤销督查 only the inspecting organisation cancels")
    step(
        session=session,
        inspection=loaded.inspection,
        targets=loaded.targets,
        identity=identity,
        action="cancel",
        reason=reason,
    )
    return loaded


async def trace_of(*, session: AsyncSession, identity: Identity, inspection_id: str) -> list[InspectionTrace]:
    await get_visible(session=session, identity=identity, inspection_id=inspection_id)
    query = select(InspectionTrace).where(InspectionTrace.inspection_id == inspection_id)
    return list((await session.scalars(query.order_by(InspectionTrace.at, InspectionTrace.id))).all())


async def export_csv(*, session: AsyncSession, identity: Identity, org: str | None = None) -> str:
    """督查台账 as CSV (UTF-8 with BOM, for spreadsheet programs): the caller's visible inspections only."""
    loaded, _total = await list_inspections(session=session, identity=identity, offset=0, limit=5000, org=org)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for item in loaded:
        i = item.inspection
        row = [
            i.id,
            i.title,
            i.kind,
            i.inspecting_org,
            " ".join(item.targets),
            i.planned_start,
            i.planned_end,
            i.state,
        ]
        writer.writerow([_safe_cell(str(v)) for v in row])
    return buffer.getvalue()


def _safe_cell(value: str) -> str:
    """No formula injection: a cell starting with = + - @ is quoted as text."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value
