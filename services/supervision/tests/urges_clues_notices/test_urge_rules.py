"""Rules of urges: the responsibility chain and working-hour arithmetic (09:00–17:00 on working days)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from luoshi_kit.timebase import BUSINESS_TZ
from luoshi_kit.workcalendar import WorkCalendar, YearSchedule
from luoshi_supervision.urges import rules

CAL = WorkCalendar()


def local(y: int, m: int, d: int, h: int = 0, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=BUSINESS_TZ)


def test_the_chain_climbs_one_step_at_a_time_and_stops_at_the_office() -> None:
    assert rules.CHAIN == ("handler", "deputy", "principal", "office")
    assert rules.role_at(rules.start_level("urge")) == "handler"
    assert rules.role_at(rules.start_level("order")) == "principal"
    assert [rules.next_level(level) for level in range(4)] == [1, 2, 3, None]


@pytest.mark.parametrize(
    ("start", "hours", "end"),
    [
        (local(2026, 11, 2, 10), 2, local(2026, 11, 2, 12)),  # Monday, inside the day
        (local(2026, 11, 2, 15), 2, local(2026, 11, 2, 17)),  # ends exactly at closing time
        (local(2026, 11, 2, 15), 3, local(2026, 11, 3, 10)),  # one hour carries to Tuesday
        (local(2026, 11, 2, 7), 1, local(2026, 11, 2, 10)),  # before opening: counts from 09:00
        (local(2026, 11, 2, 20), 1, local(2026, 11, 3, 10)),  # after closing: next morning
        (local(2026, 11, 6, 15), 16, local(2026, 11, 10, 15)),  # Friday: weekend does not count
        (local(2026, 11, 7, 11), 8, local(2026, 11, 9, 17)),  # Saturday: Monday counts whole
        (local(2026, 11, 2, 10), 0, local(2026, 11, 2, 10)),
        (local(2026, 11, 2, 10), 0.5, local(2026, 11, 2, 10, 30)),
    ],
)
def test_add_working_hours(start: datetime, hours: float, end: datetime) -> None:
    assert rules.add_working_hours(start, hours, CAL) == end.astimezone(UTC)


def test_statutory_holidays_and_adjusted_workdays_follow_the_calendar() -> None:
    # 2026 National Day (chinesecalendar): 30 September 16:00 + 2 h → the first working day after, 10:00.
    assert not CAL.is_workday(date(2026, 10, 5))
    end = rules.add_working_hours(local(2026, 9, 30, 16), 2, CAL)
    first_back = CAL.next_workday(date(2026, 10, 1))
    assert end == local(first_back.year, first_back.month, first_back.day, 10).astimezone(UTC)
    # An administrator-loaded schedule: a worked Saturday (调休上班) counts, a weekday holiday does not.
    official = WorkCalendar(
        official={
            2030: YearSchedule(
                year=2030, holidays=frozenset({date(2030, 1, 7)}), workdays=frozenset({date(2030, 1, 5)})
            )
        }
    )
    friday = datetime(2030, 1, 4, 16, tzinfo=BUSINESS_TZ)
    assert rules.add_working_hours(friday, 2, official) == local(2030, 1, 5, 10).astimezone(UTC)
    assert rules.add_working_hours(friday, 10, official) == local(2030, 1, 8, 10).astimezone(UTC)


def test_a_naive_start_is_utc() -> None:
    naive = datetime(2026, 11, 2, 2, 0)  # 10:00 in Shanghai
    assert rules.add_working_hours(naive, 1, CAL) == local(2026, 11, 2, 11).astimezone(UTC)


def test_due_dates() -> None:
    assert rules.due_at_end_of(date(2026, 11, 2)) == local(2026, 11, 3).astimezone(UTC)
    assert rules.due_date(rules.due_at_end_of(date(2026, 11, 2))) == date(2026, 11, 2)
    assert rules.due_date(local(2026, 11, 2, 17).astimezone(UTC)) == date(2026, 11, 2)


def test_escalation_is_due_only_when_open_overdue_and_below_the_top() -> None:
    due = local(2026, 11, 2, 17).astimezone(UTC)
    after, before = due + timedelta(seconds=1), due - timedelta(seconds=1)
    assert rules.escalation_due(state="open", level=0, answer_due_at=due, now=after)
    assert rules.escalation_due(state="open", level=2, answer_due_at=due, now=due)
    assert not rules.escalation_due(state="open", level=0, answer_due_at=due, now=before)
    assert not rules.escalation_due(state="answered", level=0, answer_due_at=due, now=after)
    assert not rules.escalation_due(state="closed", level=1, answer_due_at=due, now=after)
    assert not rules.escalation_due(state="open", level=3, answer_due_at=due, now=after)
