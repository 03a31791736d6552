"""Working days (工作日) for rectification deadlines and reporting cadences: the kit's official calendar
(法定节假日 and 调休; ``luoshi_kit.workcalendar``), one instance for the process."""

from __future__ import annotations

from datetime import date

from luoshi_kit.workcalendar import WorkCalendar

CALENDAR = WorkCalendar()


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    return CALENDAR.add_working_days(start, days)


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` <= ``start``)."""
    return max(0, CALENDAR.working_days_between(start, end))
