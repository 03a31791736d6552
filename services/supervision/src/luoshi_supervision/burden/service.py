"""Burden control in queries: overlapping routine inspections, the routine count per unit and year, the
raised frequency, and each unit's inspection load (督查频次) for the office."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.orgtree import within_subtree
from luoshi_supervision.burden import rules
from luoshi_supervision.burden.models import UnitFrequency
from luoshi_supervision.config import SupervisionSettings
from luoshi_supervision.exemptions.models import Exemption
from luoshi_supervision.exemptions.service import in_force_during
from luoshi_supervision.inspections.models import Inspection, InspectionTarget

ROUTINE = (Inspection.kind.not_in(("unannounced", "re_inspection"))) & Inspection.clue_id.is_(None)
LIVE = Inspection.state != "cancelled"


async def overlapping(
    *, session: AsyncSession, orgs: list[str], subject_key: str, start: date, end: date
) -> list[tuple[Inspection, str]]:
    """Live routine inspections of any of ``orgs`` on the same subject whose period meets ``start..end``."""
    if not orgs:
        return []
    query = (
        select(Inspection, InspectionTarget.org_code)
        .join(InspectionTarget, InspectionTarget.inspection_id == Inspection.id)
        .where(
            InspectionTarget.org_code.in_(orgs),
            Inspection.subject_key == subject_key,
            Inspection.planned_start <= end,
            Inspection.planned_end >= start,
            ROUTINE,
            LIVE,
        )
        .order_by(Inspection.created_at)
    )
    return [(row[0], row[1]) for row in (await session.execute(query)).all()]


async def routine_counts(*, session: AsyncSession, orgs: list[str], year: int) -> dict[str, int]:
    if not orgs:
        return {}
    query = (
        select(InspectionTarget.org_code, func.count())
        .join(Inspection, InspectionTarget.inspection_id == Inspection.id)
        .where(
            InspectionTarget.org_code.in_(orgs),
            Inspection.planned_start >= date(year, 1, 1),
            Inspection.planned_start <= date(year, 12, 31),
            ROUTINE,
            LIVE,
        )
        .group_by(InspectionTarget.org_code)
    )
    return {code: int(n) for code, n in (await session.execute(query)).all()}


async def raised_until(*, session: AsyncSession, orgs: list[str]) -> dict[str, date]:
    if not orgs:
        return {}
    rows = await session.scalars(select(UnitFrequency).where(UnitFrequency.org_code.in_(orgs)))
    return {r.org_code: r.raised_until for r in rows}


async def raise_frequency(
    *, session: AsyncSession, org_code: str, today: date, days: int, reason: str, rectification_id: str
) -> date:
    row = await session.get(UnitFrequency, org_code, with_for_update=True)
    until = rules.raised_until(row.raised_until if row else None, today, days)
    if row is None:
        session.add(
            UnitFrequency(
                org_code=org_code, raised_until=until, reason=reason, rectification_id=rectification_id
            )
        )
    else:
        row.raised_until, row.reason, row.rectification_id = until, reason, rectification_id
    return until


async def caps(
    *, session: AsyncSession, orgs: list[str], today: date, settings: SupervisionSettings
) -> dict[str, int]:
    raised = await raised_until(session=session, orgs=orgs)
    return {
        org: rules.routine_cap(
            settings.routine_cap_per_year,
            settings.frequency_factor,
            is_raised=rules.raised(raised.get(org), today),
        )
        for org in orgs
    }


async def unit_load(
    *,
    session: AsyncSession,
    org: str,
    year: int,
    today: date,
    settings: SupervisionSettings,
) -> list[dict[str, object]]:
    """Every unit in ``org``'s subtree that was inspected (or is raised or exempt) in ``year``: its counts
    by kind, routine cap, raised frequency, interval and the next routine due date."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    query = (
        select(InspectionTarget.org_code, Inspection.kind, Inspection.clue_id, Inspection.planned_start)
        .join(Inspection, InspectionTarget.inspection_id == Inspection.id)
        .where(
            within_subtree(InspectionTarget.org_code, org),
            Inspection.planned_start >= start,
            Inspection.planned_start <= end,
            LIVE,
        )
    )
    units: dict[str, dict[str, object]] = {}
    last: dict[str, date] = {}
    for code, kind, clue_id, planned_start in (await session.execute(query)).all():
        unit = units.setdefault(code, {"org_code": code, "routine": 0, "by_kind": {}})
        by_kind: dict[str, int] = unit["by_kind"]  # type: ignore[assignment]
        by_kind[kind] = by_kind.get(kind, 0) + 1
        if rules.is_routine_row(kind, clue_id):
            unit["routine"] = int(unit["routine"]) + 1  # type: ignore[call-overload]
            last[code] = max(last.get(code, planned_start), planned_start)
    raised_rows = await session.scalars(
        select(UnitFrequency).where(within_subtree(UnitFrequency.org_code, org))
    )
    raised = {r.org_code: r.raised_until for r in raised_rows}
    exempt_rows = await session.scalars(
        select(Exemption.org_code).where(
            within_subtree(Exemption.org_code, org), in_force_during(today, today)
        )
    )
    exempt = set(exempt_rows)
    for code in set(raised) | exempt:
        units.setdefault(code, {"org_code": code, "routine": 0, "by_kind": {}})
    out = []
    for code in sorted(units):
        is_raised = rules.raised(raised.get(code), today)
        interval = rules.routine_interval(
            settings.routine_interval_days, settings.frequency_factor, is_raised=is_raised
        )
        out.append(
            units[code]
            | {
                "cap": rules.routine_cap(
                    settings.routine_cap_per_year, settings.frequency_factor, is_raised=is_raised
                ),
                "frequency_raised_until": raised.get(code) if is_raised else None,
                "routine_interval_days": interval,
                "next_routine_due": rules.next_routine_due(last.get(code), interval),
                "exempt": code in exempt,
            }
        )
    return out
