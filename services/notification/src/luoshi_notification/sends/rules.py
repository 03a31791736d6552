"""When a message goes out on which channel (plain functions).

States of a send record: ``pending`` (due at ``next_attempt_at``) → ``sending`` (claimed; written and
committed
*before* the channel is called) → ``sent``, or back to ``pending`` later (a retry with backoff), or ``failed``
after the last attempt or a permanent refusal; ``skipped`` when the channel is not configured here or the
person
gave no address. A record found ``sending`` past its lease (the process died mid-send) becomes ``unknown``:
the
channel may or may not have taken it, and a person must never get the same SMS twice, so it is not retried.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta

import chinese_calendar

from luoshi_kit.timebase import BUSINESS_TZ
from luoshi_notification.channels.base import CHANNEL_ORDER

EXTERNAL = ("email", "sms", "im")


def planned_channels(preferred: Sequence[str], *, urgent: bool, digest: bool) -> list[str]:
    """The person's external channels for one message; with a daily digest, e-mail waits for it unless
    urgent."""
    chosen = [c for c in EXTERNAL if c in preferred]
    if digest and not urgent:
        chosen = [c for c in chosen if c != "email"]
    return chosen


def in_quiet_hours(moment: datetime, start: time | None, end: time | None) -> bool:
    if start is None or end is None or start == end:
        return False
    local = moment.astimezone(BUSINESS_TZ).time()
    return start <= local < end if start < end else local >= start or local < end


def not_before(moment: datetime, start: time | None, end: time | None, *, urgent: bool) -> datetime:
    """When a message may go out: now, or — not urgent, inside the person's quiet hours — when they end."""
    if urgent or not in_quiet_hours(moment, start, end):
        return moment
    assert end is not None
    local = moment.astimezone(BUSINESS_TZ)
    ends = datetime.combine(local.date(), end, tzinfo=BUSINESS_TZ)
    if ends <= local:
        ends += timedelta(days=1)
    return ends.astimezone(moment.tzinfo)


def backoff(attempts: int, base_seconds: float) -> timedelta:
    """After ``attempts`` failed attempts: base, 4×base, 16×base …"""
    return timedelta(seconds=base_seconds * (4 ** max(attempts - 1, 0)))


def next_channel(used: Sequence[str], available: Callable[[str], bool]) -> str | None:
    """The urgent re-send's channel: the first in ``CHANNEL_ORDER`` not used yet that reaches the person."""
    return next((c for c in CHANNEL_ORDER if c not in used and available(c)), None)


def add_working_hours(
    start: datetime, hours: float, is_workday: Callable[[date], bool], day_start: int = 9, day_end: int = 17
) -> datetime:
    """``start`` plus ``hours`` counted only inside working hours (Asia/Shanghai, working days)."""
    remaining = timedelta(hours=hours)
    local = start.astimezone(BUSINESS_TZ)
    for _ in range(3700):  # ten years of days: a safety bound, never reached with sane settings
        opens = datetime.combine(local.date(), time(day_start), tzinfo=BUSINESS_TZ)
        closes = datetime.combine(local.date(), time(day_end), tzinfo=BUSINESS_TZ)
        if is_workday(local.date()) and local < closes:
            local = max(local, opens)
            if local + remaining <= closes:
                return (local + remaining).astimezone(start.tzinfo)
            remaining -= closes - local
        local = datetime.combine(local.date() + timedelta(days=1), time(day_start), tzinfo=BUSINESS_TZ)
    raise ValueError("no working hours found")


def is_workday(day: date) -> bool:
    """The official calendar (chinesecalendar, with 调休) where it knows the year, else Monday to Friday."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5
