"""Plan-chart and dispatch-meeting rules as plain functions (seed 四).

Dispatch cadence (定期开展检查调度): 主要负责同志每季度召开一次调度会 (``principal``, quarterly),
分管负责同志每月召开一次工作推进会 (``deputy``, monthly), 具体承办单位每周召开一次工作例会 (``unit``,
weekly, ISO weeks Monday–Sunday). A period counts as missing only once it has ended (its last day
is before today) without a meeting of that kind: the current period can still be met. Weeks belong
to the year their Monday falls in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

MeetingKind = Literal["principal", "deputy", "unit"]
Cadence = Literal["quarter", "month", "week"]

CADENCE: dict[MeetingKind, Cadence] = {"principal": "quarter", "deputy": "month", "unit": "week"}
MEETING_NAMES: dict[MeetingKind, str] = {
    "principal": "主要负责同志调度会 (每季度)",
    "deputy": "分管负责同志工作推进会 (每月)",
    "unit": "具体承办单位工作例会 (每周)",
}


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date


def periods_of_year(cadence: Cadence, year: int) -> list[Period]:
    if cadence == "quarter":
        return [Period(f"{year}Q{q}", date(year, 3 * q - 2, 1), _month_end(year, 3 * q)) for q in range(1, 5)]
    if cadence == "month":
        return [Period(f"{year}-{m:02d}", date(year, m, 1), _month_end(year, m)) for m in range(1, 13)]
    monday = date(year, 1, 1) + timedelta(days=(7 - date(year, 1, 1).weekday()) % 7)
    out = []
    while monday.year == year:
        iso_year, week, _ = monday.isocalendar()
        out.append(Period(f"{iso_year}-W{week:02d}", monday, monday + timedelta(days=6)))
        monday += timedelta(days=7)
    return out


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def missing_periods(cadence: Cadence, held_on: Iterable[date], *, year: int, today: date) -> list[Period]:
    """The periods of ``year`` that ended before ``today`` with no meeting held within them."""
    days = sorted(held_on)
    missing = []
    for period in periods_of_year(cadence, year):
        if period.end >= today:
            break
        if not any(period.start <= d <= period.end for d in days):
            missing.append(period)
    return missing


def milestone_progress(done: bool) -> int:
    return 100 if done else 0


def plan_progress(done_flags: list[bool], task_progress: int) -> int:
    """The plan bar: the share of milestones done, or the task's reported progress without any."""
    if not done_flags:
        return task_progress
    return round(100 * sum(done_flags) / len(done_flags))


def is_late(end: date, done: bool, today: date) -> bool:
    return not done and end < today
