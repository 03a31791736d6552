"""Working days by the official Chinese calendar, including 调休, and the provisional rule."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from luoshi_tasking.calendar.rules import WorkCalendar, YearSchedule

CAL = WorkCalendar()


def test_2026_spring_festival_matches_the_notice_and_chinesecalendar() -> None:
    # 国办发明电: 2月15日(周日)至23日(周一)放假调休, 共9天; 2月14日(周六)、2月28日(周六)上班.
    for offset in range(9):
        day = date(2026, 2, 15) + timedelta(days=offset)
        assert not CAL.is_workday(day)
        assert not chinese_calendar.is_workday(day)
    for saturday in (date(2026, 2, 14), date(2026, 2, 28)):
        assert saturday.weekday() == 5
        assert CAL.is_workday(saturday)
        assert chinese_calendar.is_workday(saturday)
    assert not CAL.is_provisional(date(2026, 2, 15))


def test_working_days_across_the_spring_festival() -> None:
    friday = date(2026, 2, 13)
    # The adjusted Saturday is the next working day, then the festival, then Tuesday 24th.
    assert CAL.add_working_days(friday, 1) == date(2026, 2, 14)
    assert CAL.add_working_days(friday, 2) == date(2026, 2, 24)
    assert CAL.working_days_between(friday, date(2026, 2, 24)) == 2
    assert CAL.working_days_between(date(2026, 2, 24), friday) == -2
    # Tue 24 .. Sat 28 (adjusted) are five working days in a row.
    assert CAL.add_working_days(date(2026, 2, 23), 5) == date(2026, 2, 28)
    assert CAL.next_workday(date(2026, 2, 15)) == date(2026, 2, 24)
    assert CAL.next_workday(date(2026, 2, 14)) == date(2026, 2, 14)
    assert CAL.add_working_days(friday, 0) == friday


def test_an_adjusted_saturday_counts_and_an_ordinary_one_does_not() -> None:
    assert CAL.is_workday(date(2026, 2, 28))
    assert not CAL.is_workday(date(2026, 3, 7))
    assert CAL.working_days_between(date(2026, 2, 27), date(2026, 3, 2)) == 2  # Sat 28, Mon 2


def test_national_day_2026() -> None:
    for offset in range(7):  # 10月1日至7日放假
        assert not CAL.is_workday(date(2026, 10, 1) + timedelta(days=offset))
    assert CAL.is_workday(date(2026, 9, 20))  # Sunday worked
    assert CAL.is_workday(date(2026, 10, 10))  # Saturday worked
    assert CAL.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert CAL.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3  # 8, 9, 10


def test_years_across_a_year_boundary() -> None:
    assert CAL.add_working_days(date(2026, 12, 30), 3) == date(2027, 1, 5)
    assert CAL.working_days_between(date(2026, 12, 30), date(2027, 1, 5)) == 3


@pytest.mark.parametrize("year", [2027, 2030, 2101, 1990])
def test_a_provisional_year_never_crashes_and_is_flagged(year: int) -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(year, 6, 1))
    first = date(year, 1, 1)
    assert CAL.is_provisional(first)
    assert CAL.source(year) == "provisional"
    assert not CAL.is_workday(first)  # New Year's Day, by the holidays package's estimate
    assert CAL.working_days_between(first, date(year, 12, 31)) > 200
    assert CAL.add_working_days(first, 10) > first
    assert CAL.schedule(year).workdays == frozenset()  # no adjusted workdays without a notice


def test_provisional_rule_uses_the_estimated_statutory_holidays() -> None:
    assert not CAL.is_workday(date(2027, 10, 1))  # National Day, a Friday
    assert not CAL.is_workday(date(2027, 2, 8))  # Spring Festival, a Monday
    assert CAL.is_workday(date(2027, 3, 1))


def test_an_admin_loaded_2027_schedule_overrides_the_provisional_rule() -> None:
    loaded = YearSchedule(
        year=2027,
        holidays=frozenset(date(2027, 2, 5) + timedelta(days=i) for i in range(9)),  # Fri 5 .. Sat 13
        workdays=frozenset({date(2027, 2, 14)}),  # a Sunday worked
    )
    cal = WorkCalendar(official={2027: loaded})
    assert cal.source(2027) == "official"
    assert not cal.is_provisional(date(2027, 2, 14))
    assert cal.is_workday(date(2027, 2, 14))
    assert not cal.is_workday(date(2027, 2, 12))
    assert cal.add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 14)
    # Days the notice does not list are plain weekdays: 1 October is not off in this (partial) load.
    assert cal.is_workday(date(2027, 10, 1))
    assert CAL.is_provisional(date(2027, 2, 14))  # the default calendar is unchanged
    # Other years keep their source.
    assert cal.source(2026) == "chinesecalendar"


def test_official_schedule_overrides_chinesecalendar_too() -> None:
    cal = WorkCalendar(official={2026: YearSchedule(2026, frozenset({date(2026, 3, 2)}), frozenset())})
    assert not cal.is_workday(date(2026, 3, 2))
    assert cal.is_workday(date(2026, 2, 16))  # the loaded year is the whole truth for 2026


def test_long_spans_and_rank_array_agree_with_counting() -> None:
    start, end = date(2025, 6, 1), date(2028, 3, 1)
    counted = sum(1 for i in range(1, (end - start).days + 1) if CAL.is_workday(start + timedelta(days=i)))
    assert CAL.working_days_between(start, end) == counted
    ranks = CAL.rank_array(start, end)
    assert ranks[-1] - ranks[0] == counted
    day = start
    for n in (1, 7, 250, 600):
        target = CAL.add_working_days(day, n)
        assert CAL.working_days_between(day, target) == n and CAL.is_workday(target)
    assert CAL.add_working_days(date(2026, 2, 24), -2) == date(2026, 2, 13)
