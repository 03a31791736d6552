"""Scoring periods (考核周期): a quarter ``2026Q4`` or a year ``2026``, from business dates."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

PeriodKind = Literal["quarter", "year"]
PERIOD_PATTERN = r"^\d{4}(Q[1-4])?$"
QUARTER_PATTERN = r"^\d{4}Q[1-4]$"
_PERIOD = re.compile(PERIOD_PATTERN)


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def period_of(day: date, kind: PeriodKind) -> str:
    """The period a business date counts for under a rule of ``kind``."""
    return quarter_of(day) if kind == "quarter" else str(day.year)


def year_of(period: str) -> str:
    return period[:4]


def is_quarter(period: str) -> bool:
    return len(period) == 6


def standing_periods(period: str) -> tuple[str, ...]:
    """The standings an entry of ``period`` counts in: its quarter and its year, or the year alone."""
    return (period, year_of(period)) if is_quarter(period) else (period,)


def is_period(value: str) -> bool:
    return bool(_PERIOD.fullmatch(value))


def period_bounds(period: str) -> tuple[date, date]:
    """First and last business date of a period."""
    year = int(period[:4])
    if not is_quarter(period):
        return date(year, 1, 1), date(year, 12, 31)
    quarter = int(period[5])
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)


def period_sort_key(period: str) -> tuple[int, int]:
    """Chronological order; a year sorts after its fourth quarter (it closes with it)."""
    return int(period[:4]), int(period[5]) if is_quarter(period) else 5
