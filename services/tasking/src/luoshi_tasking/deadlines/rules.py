"""Deadline rules (超期提醒 / 预警, seed section 四), as plain functions.

All dates are business dates in Asia/Shanghai; working days follow ``calendar.rules.WorkCalendar``.

- **Start** of a task: its ``start_date``, else the business date of ``created_at``.
- **序时进度** ``expected_percent``: the share of the task's working days that have fully elapsed,
  ``floor(100 * workdays[start, today) / workdays[start, deadline])``, 0 on or before the start
  day, 100 once the deadline has passed; the deadline day itself still belongs to the task.
- **Overdue** (red): the deadline has passed (``today > deadline``) and the task is still open.
- **Lagging** (yellow): ``progress < expected - tolerance`` (and progress < 100) while not overdue.
  The tolerance defaults to 10 percentage points: self-reported progress moves in coarse steps and
  only at report time, so a task one such step behind the time-proportional line is normal; a
  task more than a step behind is what the seed calls 推进滞后 and warns about. The tolerance also
  gives every task a grace period at its start (no warning before 10 % of its time has gone by).
- **Due soon**: at most ``due_soon_working_days`` (default 3) working days left, i.e. the
  deadline is today or within the next N working days.
- **Report due dates** (落实反馈 cadence): when the issuer set ``report_due_dates`` those are the
  report deadlines; otherwise one report per calendar quarter, due on the last day of every
  quarter from the one holding the task's start through the one holding its deadline (seed:
  未明确时限要求的, 每季度汇总上报). A due date on a day off moves to the next working day.
- **Missing report**: a due date ``D`` that has passed (``D < today``) with no report filed since
  the previous due date (for the first one: no report at all). A late report after ``D`` still
  counts for ``D``: the alert was raised once when ``D`` passed and is not withdrawn.

Alert occurrences (each alert is raised once per task, kind and occurrence):
``due_soon`` and ``overdue`` — the deadline (a changed deadline is a new occurrence);
``lagging`` — the ISO week of the scan (a task still lagging is warned again each week, matching
the seed's weekly dispatch 周调度); ``report_missing`` — the report's nominal due date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, Protocol

from luoshi_kit.timebase import business_date
from luoshi_proto.tasking.states import DONE_STATES
from luoshi_tasking.calendar.rules import WorkCalendar

Colour = Literal["green", "yellow", "red"]
AlertKind = Literal["due_soon", "lagging", "overdue", "report_missing"]
ALERT_KINDS: tuple[AlertKind, ...] = ("due_soon", "lagging", "overdue", "report_missing")


@dataclass(frozen=True)
class DeadlineSettings:
    """The seed's numbers as defaults; an administrator changes them (``PUT /api/v1/deadline-rules``)."""

    due_soon_working_days: int = 3
    lagging_tolerance_points: int = 10
    scan_interval_seconds: int = 300


class TaskLike(Protocol):
    @property
    def start_date(self) -> date | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def deadline(self) -> date: ...
    @property
    def progress_percent(self) -> int: ...
    @property
    def state(self) -> str: ...


class ReportingTask(TaskLike, Protocol):
    @property
    def report_due_dates(self) -> Sequence[str] | None: ...
    @property
    def last_report_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class TaskStatus:
    colour: Colour
    expected_percent: int
    working_days_left: int  # negative: working days since the deadline passed
    overdue: bool
    lagging: bool
    provisional: bool  # computed over a year only the provisional calendar rule knows
    due_soon: bool = False


def start_of(task: TaskLike) -> date:
    return task.start_date or business_date(task.created_at)


def expected_percent(start: date, deadline: date, today: date, cal: WorkCalendar) -> int:
    """序时进度: the working days of [start, deadline] fully elapsed before today, in percent."""
    if today > deadline:
        return 100
    if today <= start:
        return 0
    total = cal.workdays_in(start, deadline)
    if total <= 0:
        return 0
    elapsed = cal.workdays_in(start, today - timedelta(days=1))
    return max(0, min(100, 100 * elapsed // total))


def is_lagging(progress: int, expected: int, tolerance: int) -> bool:
    return progress < 100 and progress < expected - tolerance


def colour(
    progress: int, expected: int, deadline: date, today: date, state: str, settings: DeadlineSettings
) -> Colour:
    if state in DONE_STATES:
        return "green"
    if deadline < today:
        return "red"
    if is_lagging(progress, expected, settings.lagging_tolerance_points):
        return "yellow"
    return "green"


def _provisional(first: date, last: date, cal: WorkCalendar) -> bool:
    return any(cal.is_provisional(date(y, 1, 1)) for y in range(first.year, last.year + 1))


def task_status(task: TaskLike, today: date, cal: WorkCalendar, settings: DeadlineSettings) -> TaskStatus:
    """The colour a person reads at a glance, and the figures behind it."""
    start = start_of(task)
    progress = max(0, min(100, task.progress_percent or 0))
    expected = expected_percent(start, task.deadline, today, cal)
    active = task.state not in DONE_STATES
    left = cal.working_days_between(today, task.deadline)
    overdue = active and task.deadline < today
    return TaskStatus(
        colour=colour(progress, expected, task.deadline, today, task.state, settings),
        expected_percent=expected,
        working_days_left=left,
        overdue=overdue,
        lagging=active and not overdue and is_lagging(progress, expected, settings.lagging_tolerance_points),
        provisional=_provisional(min(start, today), max(task.deadline, today), cal),
        due_soon=active and not overdue and left <= settings.due_soon_working_days,
    )


def due_soon_horizon(today: date, cal: WorkCalendar, settings: DeadlineSettings) -> date:
    """The first deadline that is *not* due soon: deadlines in [today, horizon) are."""
    return cal.add_working_days(today, settings.due_soon_working_days + 1)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def quarter_end(day: date) -> date:
    month = (day.month - 1) // 3 * 3 + 3
    next_first = date(day.year + 1, 1, 1) if month == 12 else date(day.year, month + 1, 1)
    return next_first - timedelta(days=1)


def previous_quarter_end(day: date) -> date:
    """The last day of the quarter before the one holding ``day``."""
    first_month = (day.month - 1) // 3 * 3 + 1
    return date(day.year, first_month, 1) - timedelta(days=1)


def quarter_ends(first: date, last: date) -> list[date]:
    """The last day of every quarter from the one holding ``first`` through the one holding ``last``."""
    out: list[date] = []
    end = quarter_end(first)
    while first <= last and end <= quarter_end(last):
        out.append(end)
        end = quarter_end(end + timedelta(days=1))
    return out


def parse_due_dates(raw: Sequence[str] | None) -> list[date]:
    out: set[date] = set()
    for value in raw or ():
        try:
            out.add(date.fromisoformat(str(value)))
        except ValueError:
            continue  # the tasks service validates input; a stray value must not stop the scan
    return sorted(out)


def report_schedule(task: ReportingTask, cal: WorkCalendar) -> list[tuple[date, date]]:
    """(nominal due date, effective due date) pairs; effective = the next working day."""
    nominal = parse_due_dates(task.report_due_dates) or quarter_ends(start_of(task), task.deadline)
    return [(d, cal.next_workday(d)) for d in nominal]


def missing_report_dues(task: ReportingTask, today: date, cal: WorkCalendar) -> list[tuple[date, date]]:
    """The (nominal, effective) due dates passed with no report since the previous due date."""
    last = business_date(task.last_report_at) if task.last_report_at else None
    out: list[tuple[date, date]] = []
    previous: date | None = None
    for nominal, effective in report_schedule(task, cal):
        if effective >= today:
            break
        if last is None or (previous is not None and last <= previous):
            out.append((nominal, effective))
        previous = effective
    return out
