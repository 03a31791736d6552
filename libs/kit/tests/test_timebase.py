"""Business dates are Asia/Shanghai dates; a naive datetime means UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from luoshi_kit.timebase import business_date, business_midnight, business_today


def test_naive_means_utc() -> None:
    assert business_date(datetime(2026, 1, 1, 15, 59)) == date(2026, 1, 1)
    assert business_date(datetime(2026, 1, 1, 16, 0)) == date(2026, 1, 2)
    assert business_date(datetime(2026, 1, 1, 16, 0)) == business_date(datetime(2026, 1, 1, 16, tzinfo=UTC))


def test_aware_in_any_zone() -> None:
    new_york = timezone(timedelta(hours=-5))
    assert business_date(datetime(2026, 1, 1, 11, tzinfo=new_york)) == date(2026, 1, 2)
    assert business_today(datetime(2026, 6, 30, 23, tzinfo=UTC)) == date(2026, 7, 1)


def test_midnight() -> None:
    assert business_midnight(date(2026, 7, 1)) == datetime(2026, 6, 30, 16, tzinfo=UTC)
