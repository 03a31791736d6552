"""序时进度, colours, lagging boundaries and report cadences, as plain functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest

from luoshi_tasking.calendar.rules import WorkCalendar
from luoshi_tasking.deadlines.rules import (
    DeadlineSettings,
    colour,
    due_soon_horizon,
    expected_percent,
    iso_week,
    missing_report_dues,
    quarter_ends,
    task_status,
)
from luoshi_tasking.deadlines.scan import plan_alerts

CAL = WorkCalendar()
RULES = DeadlineSettings()


def missing_reports(task: Any, today: date, cal: Any) -> list[date]:
    """The effective due dates (moved to a working day) passed with no report since."""
    return [effective for _, effective in missing_report_dues(task, today, cal)]


@dataclass
class FakeTask:
    deadline: date
    start_date: date | None = None
    created_at: datetime = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    progress_percent: int = 0
    state: str = "accepted"
    report_due_dates: list[str] = field(default_factory=list)
    last_report_at: datetime | None = None
    id: str = "t1"
    title: str = "任务"
    issuing_org: str = "520000000000"
    lead_unit: str = "520102000000"
    parent_id: str | None = None


def test_expected_percent_counts_elapsed_working_days() -> None:
    start, deadline = date(2026, 3, 2), date(2026, 3, 6)  # Mon..Fri: 5 working days
    assert expected_percent(start, deadline, date(2026, 3, 2), CAL) == 0
    assert expected_percent(start, deadline, date(2026, 3, 3), CAL) == 20
    assert expected_percent(start, deadline, date(2026, 3, 6), CAL) == 80  # the deadline day is still open
    assert expected_percent(start, deadline, date(2026, 3, 7), CAL) == 100
    assert expected_percent(start, deadline, date(2026, 2, 1), CAL) == 0


def test_expected_percent_skips_the_spring_festival() -> None:
    start, deadline = date(2026, 2, 9), date(2026, 3, 6)
    total = CAL.workdays_in(start, deadline)
    # On Tue 24 Feb only Feb 9–14 (6 working days, the adjusted Saturday included) lie behind.
    assert expected_percent(start, deadline, date(2026, 2, 24), CAL) == 600 // total
    # Nothing elapses during the holiday: the percentage stands still.
    assert expected_percent(start, deadline, date(2026, 2, 16), CAL) == expected_percent(
        start, deadline, date(2026, 2, 24), CAL
    )


def test_colour_boundaries() -> None:
    today, deadline = date(2026, 6, 1), date(2026, 6, 30)
    assert colour(50, 60, deadline, today, "accepted", RULES) == "green"  # exactly at the tolerance
    assert colour(49, 60, deadline, today, "accepted", RULES) == "yellow"
    assert colour(0, 9, deadline, today, "assigned", RULES) == "green"  # grace period at the start
    assert colour(0, 11, deadline, today, "assigned", RULES) == "yellow"
    assert colour(100, 100, deadline, today, "accepted", RULES) == "green"
    assert colour(100, 100, deadline, date(2026, 7, 1), "accepted", RULES) == "red"
    assert colour(10, 100, deadline, date(2026, 7, 1), "completed", RULES) == "green"
    assert colour(10, 100, deadline, date(2026, 7, 1), "cancelled", RULES) == "green"
    assert colour(10, 30, deadline, date(2026, 6, 30), "accepted", RULES) == "yellow"  # due today
    strict = DeadlineSettings(lagging_tolerance_points=0)
    assert colour(59, 60, deadline, today, "accepted", strict) == "yellow"


def test_task_status_uses_the_creation_date_without_a_start_date() -> None:
    created = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)  # 2 March 01:00 in Shanghai
    task = FakeTask(deadline=date(2026, 3, 6), created_at=created, progress_percent=0)
    status = task_status(task, date(2026, 3, 5), CAL, RULES)
    assert status.expected_percent == 60  # Mon..Wed of Mon..Fri
    assert status.lagging and status.colour == "yellow"
    assert status.working_days_left == 1
    assert status.due_soon and not status.overdue and not status.provisional


def test_task_status_overdue_and_provisional() -> None:
    task = FakeTask(deadline=date(2027, 1, 8), start_date=date(2026, 11, 2), progress_percent=95)
    status = task_status(task, date(2027, 1, 12), CAL, RULES)
    assert status.overdue and status.colour == "red" and not status.lagging
    assert status.working_days_left == -2  # Mon 11, Tue 12
    assert status.provisional  # 2027 is not known yet
    assert task_status(task, date(2026, 11, 20), CAL, RULES).provisional  # its deadline lies in 2027
    assert not task_status(FakeTask(deadline=date(2026, 12, 1)), date(2026, 11, 20), CAL, RULES).provisional


def test_due_soon_is_n_working_days_before() -> None:
    friday = date(2026, 2, 13)
    horizon = due_soon_horizon(friday, CAL, RULES)
    # 3 working days after Fri 13 Feb: Sat 14 (adjusted), Tue 24, Wed 25 -> horizon Thu 26.
    assert horizon == date(2026, 2, 26)
    assert task_status(FakeTask(deadline=date(2026, 2, 25)), friday, CAL, RULES).due_soon
    assert not task_status(FakeTask(deadline=date(2026, 2, 26)), friday, CAL, RULES).due_soon


def test_quarter_ends_span_the_task() -> None:
    assert quarter_ends(date(2026, 2, 10), date(2026, 8, 15)) == [
        date(2026, 3, 31),
        date(2026, 6, 30),
        date(2026, 9, 30),
    ]
    assert quarter_ends(date(2026, 12, 31), date(2027, 1, 1)) == [date(2026, 12, 31), date(2027, 3, 31)]
    assert quarter_ends(date(2026, 5, 1), date(2026, 4, 1)) == []


def test_missing_reports_quarterly() -> None:
    task = FakeTask(deadline=date(2026, 12, 31), start_date=date(2026, 2, 10))
    assert missing_reports(task, date(2026, 3, 31), CAL) == []  # due today: not missing yet
    assert missing_reports(task, date(2026, 4, 1), CAL) == [date(2026, 3, 31)]
    assert missing_reports(task, date(2026, 7, 1), CAL) == [date(2026, 3, 31), date(2026, 6, 30)]
    # A report in Q2 covers the Q2 due date (and, late, Q1's).
    task.last_report_at = datetime(2026, 5, 10, 3, 0, tzinfo=UTC)
    assert missing_reports(task, date(2026, 7, 1), CAL) == []
    assert missing_reports(task, date(2026, 10, 9), CAL) == [date(2026, 9, 30)]
    # A report on the due day counts for that period, not the next one.
    task.last_report_at = datetime(2026, 9, 30, 8, 0, tzinfo=UTC)
    assert missing_reports(task, date(2026, 10, 9), CAL) == []


def test_quarterly_due_date_on_a_day_off_moves_to_the_next_working_day() -> None:
    task = FakeTask(deadline=date(2029, 6, 30), start_date=date(2029, 1, 2))
    # 31 March 2029 is a Saturday.
    assert missing_reports(task, date(2029, 4, 2), CAL) == []
    assert missing_reports(task, date(2029, 4, 3), CAL) == [date(2029, 4, 2)]


def test_missing_reports_explicit_cadence() -> None:
    task = FakeTask(
        deadline=date(2026, 12, 31),
        start_date=date(2026, 3, 2),
        report_due_dates=["2026-04-15", "2026-05-15", "not-a-date", "2026-06-15"],
    )
    assert missing_reports(task, date(2026, 4, 15), CAL) == []
    assert missing_reports(task, date(2026, 5, 18), CAL) == [date(2026, 4, 15), date(2026, 5, 15)]
    task.last_report_at = datetime(2026, 4, 20, 2, 0, tzinfo=UTC)  # covers 15 May's period
    assert missing_reports(task, date(2026, 5, 18), CAL) == []
    assert missing_reports(task, date(2026, 6, 16), CAL) == [date(2026, 6, 15)]


def test_plan_alerts_kinds_and_occurrences() -> None:
    today = date(2026, 6, 10)
    tasks = [
        FakeTask(id="over", deadline=date(2026, 6, 5), start_date=date(2026, 4, 1), progress_percent=90),
        FakeTask(id="soon", deadline=date(2026, 6, 12), start_date=date(2026, 6, 1), progress_percent=80),
        FakeTask(id="lag", deadline=date(2026, 6, 30), start_date=date(2026, 4, 1), progress_percent=10),
        FakeTask(id="done", deadline=date(2026, 6, 5), start_date=date(2026, 4, 1), state="completed"),
    ]
    got = {(a.task.id, a.kind, a.occurrence) for a in plan_alerts(tasks, today, CAL, RULES)}
    assert got == {
        ("over", "overdue", "2026-06-05"),
        ("soon", "due_soon", "2026-06-12"),
        ("lag", "lagging", iso_week(today)),
    }


@pytest.mark.parametrize("progress,expected_yellow", [(0, True), (50, True), (70, False), (100, False)])
def test_lagging_with_the_default_tolerance(progress: int, expected_yellow: bool) -> None:
    task = FakeTask(deadline=date(2026, 6, 26), start_date=date(2026, 6, 1), progress_percent=progress)
    status = task_status(task, date(2026, 6, 22), CAL, RULES)  # 14 of 19 working days gone: 73 %
    assert status.expected_percent == 73
    assert status.lagging is expected_yellow
