"""学习解读 deadlines on the official calendar: 2026 Spring Festival (Feb 15–23 off, Sat Feb 14 and
Sat Feb 28 worked)."""

from __future__ import annotations

from datetime import date

import pytest

from luoshi_tasking.calendar.rules import WorkCalendar
from luoshi_tasking.documents.rules import StudyRules, document_status, report_due, study_due

CAL = WorkCalendar()
DEFAULTS = StudyRules()


@pytest.mark.parametrize(
    ("issued", "due"),
    [
        (date(2026, 2, 12), date(2026, 2, 26)),  # Fri 13, Sat 14 (调休), then 24, 25, 26 after the holiday
        (date(2026, 2, 16), date(2026, 2, 28)),  # issued in the holiday: 24, 25, 26, 27, Sat 28 (调休)
        (date(2026, 3, 2), date(2026, 3, 9)),  # an ordinary week: Mon + 5 working days is the next Mon
        (date(2026, 9, 30), date(2026, 10, 13)),  # National Day: Oct 1–7 off, Sat Oct 10 worked
    ],
)
def test_study_due_is_the_fifth_working_day_after_issue(issued: date, due: date) -> None:
    assert study_due(issued, False, CAL, DEFAULTS) == due


def test_national_day_adjusted_saturday_counts() -> None:
    assert CAL.is_workday(date(2026, 10, 10)) and not CAL.is_workday(date(2026, 10, 7))


@pytest.mark.parametrize(
    ("issued", "due"),
    [
        (date(2026, 2, 11), date(2026, 2, 11)),  # a working day: the same day
        (date(2026, 2, 14), date(2026, 2, 14)),  # the adjusted Saturday is a working day
        (date(2026, 2, 15), date(2026, 2, 24)),  # in the holiday: the first working day after it
        (date(2026, 3, 7), date(2026, 3, 9)),  # an ordinary Saturday: Monday
    ],
)
def test_especially_important_is_studied_at_once(issued: date, due: date) -> None:
    assert study_due(issued, True, CAL, DEFAULTS) == due


@pytest.mark.parametrize(
    ("session", "due"),
    [
        (date(2026, 2, 13), date(2026, 2, 24)),  # Sat 14 (调休), then Tue 24 after the holiday
        (date(2026, 2, 27), date(2026, 3, 2)),  # Sat 28 (调休), Mon Mar 2
        (date(2026, 3, 4), date(2026, 3, 6)),
    ],
)
def test_report_is_due_two_working_days_after_the_session(session: date, due: date) -> None:
    assert report_due(session, CAL, DEFAULTS) == due


def test_administrator_numbers_apply() -> None:
    rules = StudyRules(study_working_days=3, important_study_working_days=1, report_working_days=1)
    assert study_due(date(2026, 3, 2), False, CAL, rules) == date(2026, 3, 5)
    assert study_due(date(2026, 3, 2), True, CAL, rules) == date(2026, 3, 3)
    assert report_due(date(2026, 3, 6), CAL, rules) == date(2026, 3, 9)


def test_a_year_the_calendar_does_not_know_is_provisional_not_a_crash() -> None:
    due = study_due(date(2031, 3, 3), False, CAL, DEFAULTS)
    assert due == date(2031, 3, 10)
    assert CAL.is_provisional(due)


def test_status() -> None:
    study_by, report_by = date(2026, 3, 9), date(2026, 3, 11)
    kw = {"study_by": study_by}
    assert document_status(session_date=None, reported_on=None, report_by=None, today=study_by, **kw) == (
        "study_pending"
    )
    assert (
        document_status(session_date=None, reported_on=None, report_by=None, today=date(2026, 3, 10), **kw)
        == "study_overdue"
    )
    late = date(2026, 3, 12)
    held = date(2026, 3, 9)
    assert document_status(session_date=held, reported_on=None, report_by=report_by, today=late, **kw) == (
        "report_overdue"
    )
    assert document_status(session_date=held, reported_on=late, report_by=report_by, today=late, **kw) == (
        "reported"
    )
