"""Decomposition periods (分解), seed 三: 中长期任务分解到年, 年度任务分解到季, 阶段性任务分解到月,
特别重要的阶段性任务分解到周. Plain functions; the service proposes, the user adjusts.

Periods are calendar years, quarters, months and ISO weeks (Monday to Sunday, labelled by ISO
year, so 2027-01-01 lies in 2026-W53), clipped to the task's start and deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from luoshi_tasking.ledger.rules import period_label

PeriodKind = Literal["year", "quarter", "month", "week"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("year", "quarter", "month", "week")
Nature = Literal["medium_long", "yearly", "phased", "special_phased"]
NATURES: dict[Nature, tuple[PeriodKind, str]] = {
    "medium_long": ("year", "中长期任务"),  # → 分解到年
    "yearly": ("quarter", "年度任务"),  # → 分解到季
    "phased": ("month", "阶段性任务"),  # → 分解到月
    "special_phased": ("week", "特别重要的阶段性任务"),  # → 分解到周
}
TASK_KINDS: dict[str, PeriodKind] = {
    **{nature: period for nature, (period, _name) in NATURES.items()},
    "long_term": "year",  # older spellings of ?kind=, still accepted
    "key_phased": "week",
}
MAX_PERIODS = 200


class DecompositionError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    label: str
    start: date
    end: date


def period_kind_for(kind: str) -> PeriodKind:
    """A task kind (long_term/yearly/phased/key_phased) or a period kind (year/quarter/month/week)."""
    if kind in TASK_KINDS:
        return TASK_KINDS[kind]
    for period in PERIOD_KINDS:
        if kind == period:
            return period
    raise DecompositionError(f"未知的分解方式: {kind}")


def nature_of(start: date, deadline: date) -> Nature:
    """The nature a task has unless the issuer says otherwise: from the span of its dates."""
    period = suggested_kind(start, deadline)
    return next(n for n, (p, _name) in NATURES.items() if p == period)


def suggested_kind(start: date, deadline: date) -> PeriodKind:
    """Without a kind: over a year → years, over a quarter → quarters, over a month → months, else weeks."""
    days = (deadline - start).days
    if days > 366:
        return "year"
    if days > 92:
        return "quarter"
    if days > 31:
        return "month"
    return "week"


def _bounds(kind: PeriodKind, day: date) -> tuple[date, date]:
    if kind == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    if kind == "quarter":
        first_month = (day.month - 1) // 3 * 3 + 1
        start = date(day.year, first_month, 1)
    elif kind == "month":
        start = date(day.year, day.month, 1)
    else:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    months = 3 if kind == "quarter" else 1
    year, month = divmod(start.month - 1 + months, 12)
    return start, date(start.year + year, month + 1, 1) - timedelta(days=1)


def propose_periods(kind: PeriodKind, start: date, end: date, *, limit: int = MAX_PERIODS) -> list[Period]:
    """The periods of ``kind`` covering ``start``..``end``, the first and last clipped to them."""
    if start > end:
        raise DecompositionError(f"开始日期 {start} 晚于完成时限 {end}")
    periods: list[Period] = []
    day = start
    while day <= end:
        first, last = _bounds(kind, day)
        if len(periods) == limit:
            raise DecompositionError(f"分解期间超过 {limit} 个, 请选择更长的期间")
        periods.append(Period(kind, period_label(kind, first), max(first, start), min(last, end)))
        day = last + timedelta(days=1)
    return periods
