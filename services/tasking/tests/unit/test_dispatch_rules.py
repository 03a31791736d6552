"""Dispatch-meeting cadence (seed 四): principal quarterly, deputy monthly, unit weekly."""

from __future__ import annotations

from datetime import date, timedelta

from luoshi_tasking.plans.rules import (
    CADENCE,
    is_late,
    missing_periods,
    periods_of_year,
    plan_progress,
)

TODAY = date(2026, 11, 27)  # a Friday in Q4


def labels(periods: list) -> list[str]:
    return [p.label for p in periods]


def test_cadence_per_kind() -> None:
    assert CADENCE == {"principal": "quarter", "deputy": "month", "unit": "week"}


def test_quarters_missing_only_when_ended() -> None:
    held = [date(2026, 2, 10), date(2026, 9, 30)]
    assert labels(missing_periods("quarter", held, year=2026, today=TODAY)) == ["2026Q2"]
    assert labels(missing_periods("quarter", [], year=2026, today=TODAY)) == ["2026Q1", "2026Q2", "2026Q3"]


def test_a_period_ending_today_can_still_be_met() -> None:
    assert labels(missing_periods("quarter", [], year=2026, today=date(2026, 3, 31))) == []
    assert labels(missing_periods("quarter", [], year=2026, today=date(2026, 4, 1))) == ["2026Q1"]


def test_months() -> None:
    held = [date(2026, m, 15) for m in range(1, 11) if m != 3] + [date(2026, 11, 2)]
    assert labels(missing_periods("month", held, year=2026, today=TODAY)) == ["2026-03"]


def test_weeks_are_iso_weeks_of_the_year_their_monday_is_in() -> None:
    weeks = periods_of_year("week", 2026)
    assert weeks[0].start == date(2026, 1, 5) and weeks[0].label == "2026-W02"
    assert weeks[-1].start == date(2026, 12, 28) and weeks[-1].end == date(2027, 1, 3)
    assert all((w.end - w.start).days == 6 and w.start.weekday() == 0 for w in weeks)


def test_weekly_gaps() -> None:
    mondays = [date(2026, 1, 5) + timedelta(weeks=i) for i in range(47)]  # through Nov 23
    held = [d + timedelta(days=2) for d in mondays if d != date(2026, 6, 1)]
    assert labels(missing_periods("week", held, year=2026, today=TODAY)) == ["2026-W23"]


def test_a_past_year_counts_whole_and_a_future_year_not_at_all() -> None:
    assert len(missing_periods("month", [], year=2025, today=TODAY)) == 12
    assert missing_periods("quarter", [], year=2027, today=TODAY) == []


def test_meetings_of_another_year_do_not_count() -> None:
    held = [date(2025, 5, 1)]
    assert "2025Q2" not in labels(missing_periods("quarter", held, year=2025, today=TODAY))
    assert "2026Q2" in labels(missing_periods("quarter", held, year=2026, today=TODAY))


def test_plan_progress_and_lateness() -> None:
    assert plan_progress([True, False, False, True], 10) == 50
    assert plan_progress([], 35) == 35
    assert is_late(date(2026, 11, 26), False, TODAY)
    assert not is_late(date(2026, 11, 26), True, TODAY)
    assert not is_late(TODAY, False, TODAY)
