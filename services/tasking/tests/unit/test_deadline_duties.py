"""Issue 9, problem 1: alerts only for duties that exist — after the task's start, after it was
created, and (reports, pace) after the lead unit accepted it; the due date is the one that applies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from luoshi_tasking.calendar.rules import WorkCalendar
from luoshi_tasking.deadlines.rules import DeadlineSettings, missing_report_dues, report_duty_start
from luoshi_tasking.deadlines.scan import plan_alerts

CAL = WorkCalendar()
RULES = DeadlineSettings()
TODAY = date(2026, 12, 1)
CREATED = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, today


@dataclass
class Task:
    deadline: date
    start_date: date | None = None
    created_at: datetime = CREATED
    accepted_at: datetime | None = CREATED
    progress_percent: int = 0
    state: str = "accepted"
    report_due_dates: list[str] = field(default_factory=list)
    last_report_at: datetime | None = None
    id: str = "t1"
    title: str = "任务"
    issuing_org: str = "520000000000"
    lead_unit: str = "520102000000"
    co_units: list[str] = field(default_factory=list)
    parent_id: str | None = None
    original_deadline: date | None = None
    extension_count: int = 0


def kinds(task: Task, today: date = TODAY) -> list[tuple[str, str]]:
    return sorted((a.kind, a.occurrence) for a in plan_alerts([task], today, CAL, RULES))


def test_a_back_dated_task_owes_no_report_for_quarters_before_it_existed() -> None:
    # Created today with a start in 2024: the old rules raised 11 report-missing alerts at once.
    task = Task(deadline=date(2027, 6, 30), start_date=date(2024, 1, 1))
    assert missing_report_dues(task, TODAY, CAL) == []
    assert not [k for k in kinds(task) if k[0] in ("report_missing", "lagging")]
    # Far behind its back-dated start: warned from the first week that begins after acceptance.
    assert ("lagging", "2026-W50") in kinds(task, date(2026, 12, 7))
    # The first quarter it owes is the current one, once its (working-day) due date has passed.
    assert missing_report_dues(task, date(2027, 1, 5), CAL) == [(date(2026, 12, 31), date(2026, 12, 31))]


def test_a_task_still_assigned_has_no_report_or_pace_duty() -> None:
    created = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    task = Task(deadline=date(2026, 12, 31), created_at=created, accepted_at=None, state="assigned")
    assert report_duty_start(task) is None
    assert kinds(task) == []  # neither report_missing nor lagging, though it is far behind
    task.state, task.accepted_at = "accepted", datetime(2026, 5, 6, 2, 0, tzinfo=UTC)
    # Accepted in May: Q1's report was never owed, Q2's and Q3's are.
    assert [n for n, _e in missing_report_dues(task, TODAY, CAL)] == [date(2026, 6, 30), date(2026, 9, 30)]
    assert ("lagging", "2026-W49") in kinds(task)


def test_a_report_due_on_the_acceptance_day_is_not_owed() -> None:
    task = Task(
        deadline=date(2026, 12, 31),
        created_at=datetime(2026, 6, 1, 2, 0, tzinfo=UTC),
        accepted_at=datetime(2026, 6, 30, 2, 0, tzinfo=UTC),
    )
    assert [n for n, _e in missing_report_dues(task, TODAY, CAL)] == [date(2026, 9, 30)]


def test_the_alert_carries_the_due_date_that_applies() -> None:
    # 2024-03-31 was a Sunday: the report was due on Monday 1 April, and the alert says so.
    task = Task(
        deadline=date(2024, 12, 31),
        start_date=date(2024, 1, 2),
        created_at=datetime(2024, 1, 2, 2, 0, tzinfo=UTC),
        accepted_at=datetime(2024, 1, 3, 2, 0, tzinfo=UTC),
    )
    (alert,) = [a for a in plan_alerts([task], date(2024, 4, 2), CAL, RULES) if a.kind == "report_missing"]
    assert alert.occurrence == "2024-03-31" and alert.due == date(2024, 4, 1)


def test_no_deadline_alert_for_a_slice_created_after_its_deadline() -> None:
    # A late decomposition records 2026Q1 as a subtask on 1 December: red on the list, no alert.
    task = Task(deadline=date(2026, 3, 31), start_date=date(2026, 1, 1))
    assert kinds(task) == []
    # A deadline that passes after creation does raise one.
    later = Task(deadline=date(2026, 12, 2), created_at=datetime(2026, 11, 2, 2, 0, tzinfo=UTC))
    assert ("overdue", "2026-12-02") in kinds(later, date(2026, 12, 3))


def test_an_extended_deadline_is_a_new_occurrence() -> None:
    moment = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
    task = Task(deadline=date(2026, 12, 2), created_at=moment, accepted_at=moment, progress_percent=90)
    assert ("due_soon", "2026-12-02") in kinds(task)
    assert ("overdue", "2026-12-02") in kinds(task, date(2026, 12, 3))
    task.deadline, task.progress_percent = date(2027, 3, 31), 0  # approved extension, and behind
    assert {k for k, _occurrence in kinds(task, date(2026, 12, 3))} == {"lagging"}  # no longer overdue
