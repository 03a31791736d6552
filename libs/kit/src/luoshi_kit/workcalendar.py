"""The official Chinese working-day calendar (法定节假日 and 调休), as plain functions.

Shared by tasking (deadlines, extensions, study dates) and supervision (answer deadlines of urges and
supervision orders, their escalation); tasking's administrators load official schedules (rule 1).

Which rule decides whether a day is a working day, for the day's year, first match wins:

1. ``official``: a schedule an administrator loaded from the State Council's yearly notice
   (国务院办公厅关于节假日安排的通知), see ``PUT /api/v1/calendar/{year}`` (tasking).
2. the ``chinesecalendar`` package, which carries those notices for the years it knows
   (1.11: 2004–2026) and raises ``NotImplementedError`` for any other year.
3. the provisional rule: Saturdays and Sundays are off, plus the statutory holidays as the
   ``holidays`` package estimates them for China (``holidays.China``); there are no adjusted
   working days (调休上班), since only the notice fixes them. Days decided by this rule are
   *provisional* (``is_provisional``), and so is everything computed from them.

Nothing here raises for a valid ``date``: a year no source knows falls back to rule 3, and an
estimate that fails falls back to weekends only.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

import chinese_calendar
import holidays as holidays_lib

log = logging.getLogger(__name__)

Source = Literal["official", "chinesecalendar", "provisional"]


@dataclass(frozen=True)
class YearSchedule:
    """An administrator-loaded official schedule (国务院办公厅 notice) for one year."""

    year: int
    holidays: frozenset[date]  # days off that would otherwise be workdays
    workdays: frozenset[date]  # adjusted working weekend days (调休上班)


@dataclass(frozen=True)
class _YearTable:
    """One year, day by day: ``flags[i]`` is 1 when Jan 1 + i is a working day; ``cum[i]`` counts the
    working days among the first ``i`` days, so any range count is one subtraction."""

    year: int
    source: Source
    flags: bytes
    cum: tuple[int, ...]

    @property
    def provisional(self) -> bool:
        return self.source == "provisional"

    @property
    def total(self) -> int:
        return self.cum[-1]


def _table(year: int, source: Source, flags: bytearray) -> _YearTable:
    cum = [0]
    for flag in flags:
        cum.append(cum[-1] + flag)
    return _YearTable(year, source, bytes(flags), tuple(cum))


def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    length = (date(year + 1, 1, 1) - first).days if year < 9999 else 365
    return [first + timedelta(days=i) for i in range(length)]


def _weekday_flags(days: list[date]) -> bytearray:
    return bytearray(1 if d.weekday() < 5 else 0 for d in days)


def _official_table(schedule: YearSchedule) -> _YearTable:
    days = _days_of(schedule.year)
    flags = _weekday_flags(days)
    first = days[0]
    for day in schedule.holidays:
        if day.year == schedule.year:
            flags[(day - first).days] = 0
    for day in schedule.workdays:
        if day.year == schedule.year:
            flags[(day - first).days] = 1
    return _table(schedule.year, "official", flags)


@lru_cache(maxsize=512)
def _library_table(year: int) -> _YearTable:
    """chinesecalendar's answer for the year, else the provisional rule (both never change)."""
    days = _days_of(year)
    try:
        flags = bytearray(1 if chinese_calendar.is_workday(d) else 0 for d in days)
        return _table(year, "chinesecalendar", flags)
    except NotImplementedError:
        pass  # a year the package does not know: provisional rule below
    flags = _weekday_flags(days)
    estimated: list[object] = []
    try:
        estimated = list(holidays_lib.China(years=year))
    except Exception:  # an estimate must never break deadline arithmetic
        log.warning("no holiday estimate for %s; weekends only", year, exc_info=True)
    first = days[0]
    for day in estimated:
        if isinstance(day, date) and day.year == year:
            flags[(day - first).days] = 0
    return _table(year, "provisional", flags)


@dataclass(frozen=True)
class WorkCalendar:
    official: Mapping[int, YearSchedule] = field(default_factory=dict)
    _tables: dict[int, _YearTable] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    # (first, last) year -> working days of the years first..last-1 / whether any of first..last is
    # provisional: a task list computes both for every task, and a far deadline spans many years.
    _spans: dict[tuple[int, int], int] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    _provisional_spans: dict[tuple[int, int], bool] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def _year(self, year: int) -> _YearTable:
        table = self._tables.get(year)
        if table is None:
            schedule = self.official.get(year)
            table = _official_table(schedule) if schedule is not None else _library_table(year)
            self._tables[year] = table
        return table

    def _upto(self, day: date) -> int:
        """Working days from Jan 1 of ``day``'s year through ``day`` inclusive."""
        return self._year(day.year).cum[day.timetuple().tm_yday]

    def is_workday(self, day: date) -> bool:
        return self._year(day.year).flags[day.timetuple().tm_yday - 1] == 1

    def is_provisional(self, day: date) -> bool:
        """True when neither an administrator nor chinesecalendar knows ``day``'s year."""
        return self._year(day.year).provisional

    def source(self, year: int) -> Source:
        return self._year(year).source

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself not counted); n == 0 returns
        ``start``; a negative n counts backwards (the |n|-th working day before ``start``)."""
        if n == 0:
            return start
        if n < 0:
            day = start
            for _ in range(-n):
                day -= timedelta(days=1)
                while not self.is_workday(day):
                    day -= timedelta(days=1)
            return day
        year = start.year
        target = self._upto(start) + n
        while True:
            table = self._year(year)
            if target <= table.total:
                index = bisect.bisect_left(table.cum, target)  # first i with cum[i] == target
                return date(year, 1, 1) + timedelta(days=index - 1)
            target -= table.total
            year += 1

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end < start."""
        if end < start:
            return -self.working_days_between(end, start)
        count = self._upto(end) - self._upto(start)
        if end.year > start.year:
            span = self._spans.get((start.year, end.year))
            if span is None:
                span = sum(self._year(year).total for year in range(start.year, end.year))
                self._spans[(start.year, end.year)] = span
            count += span
        return count

    def any_provisional(self, first_year: int, last_year: int) -> bool:
        """True when any year of first_year..last_year (inclusive) is provisional."""
        hit = self._provisional_spans.get((first_year, last_year))
        if hit is None:
            hit = any(self._year(y).provisional for y in range(first_year, last_year + 1))
            self._provisional_spans[(first_year, last_year)] = hit
        return hit

    def next_workday(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def workdays_in(self, first: date, last: date) -> int:
        """Working days in [first, last] (0 when last < first)."""
        if last < first:
            return 0
        return self.working_days_between(first - timedelta(days=1), last)

    def schedule(self, year: int) -> YearSchedule:
        """The year as a schedule, whatever its source: weekdays off and weekend days worked."""
        table = self._year(year)
        days = _days_of(year)
        return YearSchedule(
            year=year,
            holidays=frozenset(
                d for d, f in zip(days, table.flags, strict=True) if not f and d.weekday() < 5
            ),
            workdays=frozenset(d for d, f in zip(days, table.flags, strict=True) if f and d.weekday() >= 5),
        )

    def rank_array(self, first: date, last: date) -> list[int]:
        """``a[i]`` = working days in [first, first + i] for every day up to ``last``: lets SQL
        count working days between two dates with two array lookups (see deadlines.scan)."""
        out: list[int] = []
        running = 0
        day = first
        while day <= last:
            running += 1 if self.is_workday(day) else 0
            out.append(running)
            day += timedelta(days=1)
        return out
