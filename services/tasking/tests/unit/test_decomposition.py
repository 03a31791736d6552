"""Decomposition periods (分解): years, quarters, months, ISO weeks, clipped to start and deadline."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from luoshi_tasking.tasks.decomposition import (
    DecompositionError,
    Period,
    period_kind_for,
    propose_periods,
    suggested_kind,
)


def _labels(periods: list[Period]) -> list[str]:
    return [p.label for p in periods]


@pytest.mark.parametrize(
    ("kind", "period"),
    [
        ("long_term", "year"),
        ("yearly", "quarter"),
        ("phased", "month"),
        ("key_phased", "week"),
        ("quarter", "quarter"),
    ],
)
def test_task_kinds_map_to_the_seeds_periods(kind: str, period: str) -> None:
    assert period_kind_for(kind) == period


def test_unknown_kind() -> None:
    with pytest.raises(DecompositionError):
        period_kind_for("decade")


def test_medium_long_term_task_splits_into_years_clipped() -> None:
    periods = propose_periods("year", date(2026, 3, 15), date(2028, 6, 30))
    assert _labels(periods) == ["2026", "2027", "2028"]
    assert (periods[0].start, periods[0].end) == (date(2026, 3, 15), date(2026, 12, 31))
    assert (periods[1].start, periods[1].end) == (date(2027, 1, 1), date(2027, 12, 31))
    assert (periods[2].start, periods[2].end) == (date(2027 + 1, 1, 1), date(2028, 6, 30))


def test_yearly_task_splits_into_quarters() -> None:
    periods = propose_periods("quarter", date(2027, 1, 1), date(2027, 12, 31))
    assert _labels(periods) == ["2027Q1", "2027Q2", "2027Q3", "2027Q4"]
    assert [p.end for p in periods] == [
        date(2027, 3, 31),
        date(2027, 6, 30),
        date(2027, 9, 30),
        date(2027, 12, 31),
    ]


def test_quarters_clipped_and_across_a_year_boundary() -> None:
    periods = propose_periods("quarter", date(2026, 11, 20), date(2027, 5, 10))
    assert _labels(periods) == ["2026Q4", "2027Q1", "2027Q2"]
    assert periods[0].start == date(2026, 11, 20) and periods[0].end == date(2026, 12, 31)
    assert periods[-1].start == date(2027, 4, 1) and periods[-1].end == date(2027, 5, 10)


def test_phased_task_splits_into_months_with_february_and_leap_years() -> None:
    periods = propose_periods("month", date(2027, 12, 5), date(2028, 3, 1))
    assert _labels(periods) == ["2027-12", "2028-01", "2028-02", "2028-03"]
    assert periods[2].end == date(2028, 2, 29)
    assert periods[0].start == date(2027, 12, 5) and periods[-1] == Period(
        "month", "2028-03", date(2028, 3, 1), date(2028, 3, 1)
    )


def test_weeks_run_monday_to_sunday_across_month_ends() -> None:
    periods = propose_periods("week", date(2027, 3, 29), date(2027, 4, 11))
    assert [(p.start, p.end) for p in periods] == [
        (date(2027, 3, 29), date(2027, 4, 4)),
        (date(2027, 4, 5), date(2027, 4, 11)),
    ]
    assert _labels(periods) == ["2027-W13", "2027-W14"]


def test_weeks_clipped_mid_week() -> None:
    periods = propose_periods("week", date(2027, 1, 27), date(2027, 2, 3))  # Wednesday to Wednesday
    assert [(p.start, p.end) for p in periods] == [
        (date(2027, 1, 27), date(2027, 1, 31)),
        (date(2027, 2, 1), date(2027, 2, 3)),
    ]


def test_iso_week_labels_across_a_year_boundary() -> None:
    periods = propose_periods("week", date(2026, 12, 30), date(2027, 1, 6))
    # 2026 has 53 ISO weeks: 2026-12-28..2027-01-03 is 2026-W53.
    assert _labels(periods) == ["2026-W53", "2027-W01"]
    assert periods[0].start == date(2026, 12, 30) and periods[0].end == date(2027, 1, 3)
    periods = propose_periods("week", date(2027, 12, 30), date(2028, 1, 4))
    assert _labels(periods) == ["2027-W52", "2028-W01"]


def test_one_day_task_has_one_period() -> None:
    periods = propose_periods("quarter", date(2027, 6, 30), date(2027, 6, 30))
    assert periods == [Period("quarter", "2027Q2", date(2027, 6, 30), date(2027, 6, 30))]


def test_periods_cover_the_span_without_gaps_or_overlaps() -> None:
    for kind in ("year", "quarter", "month", "week"):
        periods = propose_periods(kind, date(2026, 2, 17), date(2027, 8, 9))
        assert periods[0].start == date(2026, 2, 17) and periods[-1].end == date(2027, 8, 9)
        for before, after in itertools.pairwise(periods):
            assert (after.start - before.end).days == 1


def test_start_after_deadline_is_refused() -> None:
    with pytest.raises(DecompositionError):
        propose_periods("month", date(2027, 5, 1), date(2027, 4, 30))


def test_too_many_periods_is_refused() -> None:
    with pytest.raises(DecompositionError):
        propose_periods("week", date(2027, 1, 1), date(2035, 1, 1))


@pytest.mark.parametrize(
    ("start", "deadline", "kind"),
    [
        (date(2026, 1, 1), date(2028, 12, 31), "year"),
        (date(2027, 1, 1), date(2027, 12, 31), "quarter"),
        (date(2027, 1, 1), date(2027, 3, 31), "month"),
        (date(2027, 1, 1), date(2027, 1, 20), "week"),
    ],
)
def test_suggested_kind_from_the_span(start: date, deadline: date, kind: str) -> None:
    assert suggested_kind(start, deadline) == kind
