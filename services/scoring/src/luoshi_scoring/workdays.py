"""Working days (工作日) between two business dates, for points counted per working day overdue.

The tasking calendar is the authority on deadlines; scoring only counts how many working days late a
closed task was. It asks ``chinesecalendar`` (the official 法定节假日/调休 schedule, for the years it knows)
and falls back to Monday–Friday for other years (the count is then marked provisional in the basis).
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


def is_workday(day: date) -> tuple[bool, bool]:
    """(working day?, provisional?)"""
    try:
        return bool(chinese_calendar.is_workday(day)), False
    except NotImplementedError:
        return day.weekday() < 5, True


def working_days_after(start: date, end: date) -> tuple[int, bool]:
    """Working days in (start, end] and whether any was decided by the weekday fallback."""
    count, provisional = 0, False
    day = start + timedelta(days=1)
    while day <= end:
        working, guessed = is_workday(day)
        count += working
        provisional = provisional or guessed
        day += timedelta(days=1)
    return count, provisional
