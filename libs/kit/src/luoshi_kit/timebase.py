"""Business time: dates and deadlines live in Asia/Shanghai, instants are stored in UTC.

A naive datetime is taken to be UTC (what the database gives back for a UTC column without a
zone), never local time: ``business_date(datetime(2026, 1, 1, 17))`` is 2026-01-02.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


def business_date(moment: datetime) -> date:
    """The business date (Asia/Shanghai) of an instant; naive means UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BUSINESS_TZ).date()


def business_today(now: datetime | None = None) -> date:
    """Today in Asia/Shanghai (or the business date of ``now``; naive means UTC)."""
    return business_date(now or datetime.now(UTC))


def business_midnight(day: date) -> datetime:
    """The UTC instant a business date starts."""
    return datetime.combine(day, datetime.min.time(), tzinfo=BUSINESS_TZ).astimezone(UTC)
