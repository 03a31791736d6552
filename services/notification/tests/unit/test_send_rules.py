"""When a message goes out on which channel: quiet hours, urgent bypass, backoff, working hours, next
channel."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from luoshi_notification.channels.im import robot_for
from luoshi_notification.sends.rules import (
    add_working_hours,
    backoff,
    in_quiet_hours,
    is_workday,
    next_channel,
    not_before,
    planned_channels,
)

# 2026-12-01 is a Tuesday; 22:30 in Shanghai is 14:30 UTC.
NIGHT = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
NOON = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)


def test_quiet_hours_wrap_midnight_and_delay_only_what_is_not_urgent() -> None:
    start, end = time(22, 0), time(7, 30)
    assert in_quiet_hours(NIGHT, start, end) and not in_quiet_hours(NOON, start, end)
    assert not_before(NIGHT, start, end, urgent=False) == datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 07:30
    assert not_before(NIGHT, start, end, urgent=True) == NIGHT
    assert not_before(NOON, start, end, urgent=False) == NOON
    assert not_before(NIGHT, None, None, urgent=False) == NIGHT
    assert in_quiet_hours(NOON, time(11, 0), time(13, 0))  # a same-day window (12:00 local)


def test_a_digest_keeps_ordinary_mail_back_but_not_urgent_mail() -> None:
    assert planned_channels(["sms", "email"], urgent=False, digest=False) == ["email", "sms"]
    assert planned_channels(["sms", "email"], urgent=False, digest=True) == ["sms"]
    assert planned_channels(["email"], urgent=True, digest=True) == ["email"]


def test_backoff_grows_fourfold() -> None:
    assert [backoff(n, 30).total_seconds() for n in (1, 2, 3)] == [30, 120, 480]


def test_working_hours_skip_nights_weekends_and_holidays() -> None:
    tuesday_4pm = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 16:00 local
    assert add_working_hours(tuesday_4pm, 4, is_workday) == datetime(
        2026, 12, 2, 4, 0, tzinfo=UTC
    )  # Wed 12:00
    friday_4pm = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    assert add_working_hours(friday_4pm, 2, is_workday) == datetime(
        2026, 12, 7, 2, 0, tzinfo=UTC
    )  # Mon 10:00
    assert not is_workday(date(2026, 10, 1))  # 国庆节
    assert add_working_hours(NOON, 0, is_workday) == NOON
    night = add_working_hours(NIGHT, 1, is_workday)
    assert night - NIGHT > timedelta(hours=1)  # starts counting at 09:00 the next morning


def test_the_urgent_resend_takes_the_next_channel_that_reaches_the_person() -> None:
    reach = {"in_app", "email", "sms"}.__contains__
    assert next_channel(["in_app"], reach) == "email"
    assert next_channel(["in_app", "email"], reach) == "sms"
    assert next_channel(["in_app", "email", "sms"], reach) is None


def test_a_message_goes_to_the_robot_of_the_nearest_unit_above() -> None:
    robots = {"520000000000": "json://province", "520102000000": "json://county"}
    assert robot_for("520102001000", robots) == "json://county"
    assert robot_for("520102000000D03", robots) == "json://county"
    assert robot_for("520300000000", robots) == "json://province"
    assert robot_for("530000000000", robots) is None
