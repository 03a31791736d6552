"""Standings from entries, as plain functions: what ``standing`` must equal (the recompute check)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from luoshi_scoring.periods import standing_periods
from luoshi_scoring.rulebook.defaults import CORRECTION

NEGATIVE_RULE = "negative_listed"


@dataclass(frozen=True)
class Figures:
    points: Decimal = Decimal("0.00")
    entries: int = 0
    deductions: int = 0
    negative: int = 0

    def plus(self, delta: Figures) -> Figures:
        return Figures(
            self.points + delta.points,
            self.entries + delta.entries,
            self.deductions + delta.deductions,
            self.negative + delta.negative,
        )


def entry_delta(points: Decimal, rule_code: str) -> Figures:
    """What one entry adds to its standings. A deduction is an entry with negative points (a correction
    counts as neither a deduction nor a negative-list item: it compensates one)."""
    return Figures(
        points=points,
        entries=1,
        deductions=int(points < 0 and rule_code != CORRECTION),
        negative=int(rule_code == NEGATIVE_RULE),
    )


def standings_from(entries: Iterable[tuple[str, str, Decimal, str]]) -> dict[tuple[str, str], Figures]:
    """(org, period) -> figures, from (org, period, points, rule_code) rows of the ledger alone."""
    out: dict[tuple[str, str], Figures] = {}
    for org, period, points, rule_code in entries:
        delta = entry_delta(points, rule_code)
        for target in standing_periods(period):
            out[(org, target)] = out.get((org, target), Figures()).plus(delta)
    return out
