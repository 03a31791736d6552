"""Working days (工作日) between two business dates, for points counted per working day overdue.

The tasking calendar is the authority on deadlines; scoring only counts how many working days late a closed
task was, with the kit's working-day calendar (``luoshi_kit.workcalendar``: chinesecalendar for the years it
knows, else the provisional rule, in which case the basis says the count is an estimate).
"""

from __future__ import annotations

from datetime import date

from luoshi_kit.workcalendar import WorkCalendar

_CALENDAR = WorkCalendar()


def working_days_after(start: date, end: date) -> tuple[int, bool]:
    """Working days in (start, end] and whether any day of the range was decided provisionally."""
    if end <= start:
        return 0, False
    provisional = any(_CALENDAR.is_provisional(date(y, 1, 1)) for y in range(start.year, end.year + 1))
    return _CALENDAR.working_days_between(start, end), provisional
