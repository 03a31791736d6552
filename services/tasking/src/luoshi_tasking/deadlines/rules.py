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
- **When duties begin** (issue 9): reporting and keeping pace begin when the lead unit accepts
  (签收) the task, so a task still ``assigned`` (or ``returned``) is never warned for a missing
  report or for lagging. A report is owed for a due date only when its effective date falls after
  the task's duty start: the latest of its start, the day it was created (a back-dated start
  owes nothing for the quarters before the task existed) and the day it was accepted. The deadline
  itself binds from assignment: ``overdue`` and ``due_soon`` are raised for a deadline on or after
  the day the task was created (a period slice of the past, created in a late decomposition, is
  red on the list but raises no alert). ``lagging`` is warned per ISO week, for the weeks that
  begin after the duty start (a task accepted this week is first warned next week). Every
  alert's ``due`` is the date that actually applies: the deadline in force (an approved
  extension moves it) or the report's effective due date.

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
    max_extensions: int = 2  # 延期申请: approved extensions a task may have


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


def created_on(task: TaskLike) -> date:
    return business_date(task.created_at)


def report_duty_start(task: TaskLike) -> date | None:
    """The day reporting begins: the latest of the start, the creation and the acceptance day;
    None while the task is not accepted (no report is owed yet)."""
    if task.state != "accepted":
        return None
    accepted_at: datetime | None = getattr(task, "accepted_at", None)
    days = [start_of(task), created_on(task)]
    if accepted_at is not None:
        days.append(business_date(accepted_at))
    return max(days)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def pace_owed(task: TaskLike, today: date) -> bool:
    """Lagging is warned per ISO week, for weeks that begin after the duty began (acceptance)."""
    duty = report_duty_start(task)
    return duty is not None and week_start(today) > duty


def deadline_binds(task: TaskLike) -> bool:
    """The deadline raises alerts only if the task existed on it (see the module's docstring)."""
    return task.deadline >= created_on(task)


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
    return cal.any_provisional(first.year, last.year)


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
    duty = report_duty_start(task)
    if duty is None:
        return []
    last = business_date(task.last_report_at) if task.last_report_at else None
    out: list[tuple[date, date]] = []
    previous: date | None = None
    for nominal, effective in report_schedule(task, cal):
        if effective >= today:
            break
        if effective > duty and (last is None or (previous is not None and last <= previous)):
            out.append((nominal, effective))
        previous = effective
    return out
