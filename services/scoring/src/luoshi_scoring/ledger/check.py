"""The recompute check (对账): every standing recomputed from the ledger alone must equal the stored one.

``GET /api/v1/points/check`` (a provincial administrator) and ``luoshi-scoring-check`` run it; a test runs it
after a random stream of events. Keyword-only, never commits.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_scoring.ledger.models import PointsEntry, Standing
from luoshi_scoring.ledger.rules import NEGATIVE_RULE, Figures
from luoshi_scoring.periods import is_quarter, standing_periods
from luoshi_scoring.rulebook.defaults import CORRECTION


class Mismatch(BaseModel):
    org_code: str
    period: str
    stored: dict[str, str | int] | None
    recomputed: dict[str, str | int] | None


class CheckResult(BaseModel):
    periods: list[str]
    standings: int
    mismatches: list[Mismatch]

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _as_dict(f: Figures | None) -> dict[str, str | int] | None:
    if f is None:
        return None
    return {"points": str(f.points), "entries": f.entries, "deductions": f.deductions, "negative": f.negative}


async def recompute(*, session: AsyncSession, period: str | None = None) -> CheckResult:
    """Compare stored standings with the ledger, for one period or for all."""
    deduction = case(
        (PointsEntry.points < 0, case((PointsEntry.rule_code == CORRECTION, 0), else_=1)), else_=0
    )
    query = select(
        PointsEntry.org_code,
        PointsEntry.period,
        func.sum(PointsEntry.points),
        func.count(),
        func.sum(deduction),
        func.sum(case((PointsEntry.rule_code == NEGATIVE_RULE, 1), else_=0)),
    ).group_by(PointsEntry.org_code, PointsEntry.period)
    stored_query = select(Standing)
    if period is not None:
        if is_quarter(period):
            query = query.where(PointsEntry.period == period)
        else:
            query = query.where(
                or_(
                    PointsEntry.period == period,
                    PointsEntry.period.in_([f"{period}Q{q}" for q in range(1, 5)]),
                )
            )
        stored_query = stored_query.where(Standing.period == period)
    computed: dict[tuple[str, str], Figures] = {}
    for org, entry_period, points, count, deductions, negative in (await session.execute(query)).all():
        delta = Figures(Decimal(points or 0), int(count), int(deductions or 0), int(negative or 0))
        for target in standing_periods(entry_period):
            if period is None or target == period:
                computed[(org, target)] = computed.get((org, target), Figures()).plus(delta)
    stored = {
        (s.org_code, s.period): Figures(Decimal(s.points), s.entries, s.deductions, s.negative)
        for s in (await session.scalars(stored_query)).all()
    }
    mismatches = [
        Mismatch(
            org_code=org, period=p, stored=_as_dict(stored.get(key)), recomputed=_as_dict(computed.get(key))
        )
        for key in sorted(set(stored) | set(computed))
        for org, p in [key]
        if _normal(stored.get(key)) != _normal(computed.get(key))
    ]
    periods = sorted({p for _o, p in set(stored) | set(computed)})
    return CheckResult(periods=periods, standings=len(stored), mismatches=mismatches)


def _normal(f: Figures | None) -> tuple[Decimal, int, int, int]:
    if f is None:
        return Decimal(0), 0, 0, 0
    return f.points.quantize(Decimal("0.01")), f.entries, f.deductions, f.negative
