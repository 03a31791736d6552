"""Rules of task changes and extensions (issue 9, problem 3) and of a task's nature (problem 2)."""

from __future__ import annotations

from datetime import date

import pytest

from luoshi_kit.errors import Problem
from luoshi_tasking.calendar.rules import WorkCalendar
from luoshi_tasking.changes.rules import (
    check_extension,
    check_future_deadline,
    diff,
    is_late,
    working_days_added,
)
from luoshi_tasking.tasks.decomposition import NATURES, nature_of, period_kind_for

CAL = WorkCalendar()


def test_diff_lists_only_what_changes_with_before_and_after() -> None:
    current = {"title": "旧", "deadline": date(2027, 6, 30), "co_units": [], "category": None}
    wanted = {"title": "新", "deadline": date(2027, 6, 30), "co_units": ["520102001000"], "category": None}
    assert diff(current, wanted) == [
        {"field": "title", "before": "旧", "after": "新"},
        {"field": "co_units", "before": [], "after": ["520102001000"]},
    ]
    assert diff(current, {"deadline": date(2027, 7, 1)}) == [
        {"field": "deadline", "before": "2027-06-30", "after": "2027-07-01"}
    ]


def test_a_past_deadline_is_refused_in_chinese() -> None:
    check_future_deadline(date(2026, 12, 1), date(2026, 12, 1))
    with pytest.raises(Problem) as caught:
        check_future_deadline(date(2026, 11, 30), date(2026, 12, 1))
    assert caught.value.status == 422 and "不能早于今天" in caught.value.title


def test_working_days_added_follow_the_calendar() -> None:
    # From Friday 13 Feb 2026 to Wednesday 25 Feb: the Spring Festival lies between; Saturday 14 is worked.
    assert working_days_added(CAL, date(2026, 2, 13), date(2026, 2, 25)) == 3  # Sat 14, Tue 24, Wed 25
    assert working_days_added(CAL, date(2026, 6, 5), date(2026, 6, 12)) == 5
    assert working_days_added(CAL, date(2026, 6, 5), date(2026, 6, 5)) == 0


def test_extension_checks() -> None:
    today = date(2026, 12, 1)
    check_extension(current=date(2026, 12, 31), requested=date(2027, 1, 31), today=today, approved=1, limit=2)
    for kwargs, status, slug in [
        ({"requested": date(2026, 12, 31)}, 422, "extension-not-later"),
        ({"current": date(2026, 11, 1), "requested": date(2026, 11, 20)}, 422, "deadline-in-past"),
        ({"approved": 2}, 409, "extension-limit"),
    ]:
        args = {"current": date(2026, 12, 31), "requested": date(2027, 1, 31), "today": today, "approved": 0}
        with pytest.raises(Problem) as caught:
            check_extension(**{**args, **kwargs}, limit=2)  # type: ignore[arg-type,dict-item]
        assert (caught.value.status, caught.value.slug) == (status, slug)
    assert is_late(date(2026, 12, 2), date(2026, 12, 1)) and not is_late(date(2026, 12, 1), date(2026, 12, 1))


@pytest.mark.parametrize(
    ("start", "deadline", "nature"),
    [
        (date(2026, 1, 1), date(2028, 12, 31), "medium_long"),
        (date(2026, 1, 1), date(2026, 12, 31), "yearly"),
        (date(2026, 3, 1), date(2026, 5, 31), "phased"),
        (date(2026, 3, 1), date(2026, 3, 20), "special_phased"),
    ],
)
def test_the_nature_follows_the_dates_and_names_the_period(start: date, deadline: date, nature: str) -> None:
    assert nature_of(start, deadline) == nature
    assert period_kind_for(nature) == NATURES[nature][0]
