"""How long an exemption may run (在1年内实行免督查). Plain functions, no I/O."""

from __future__ import annotations

from datetime import date, timedelta

from luoshi_kit.errors import Problem


def one_year_after(day: date) -> date:
    """The last day of a one-year exemption starting on ``day``: the day before its anniversary."""
    try:
        anniversary = day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        anniversary = date(day.year + 1, 3, 1)
    return anniversary - timedelta(days=1)


def check_period(*, starts_on: date, ends_on: date, today: date) -> None:
    if ends_on < starts_on:
        raise Problem(
            422, "validation", "输入有误 Invalid input", "结束日期早于开始日期 (ends before it starts)"
        )
    if ends_on > one_year_after(starts_on):
        raise Problem(
            422,
            "validation",
            "输入有误 Invalid input",
            f"免督查至多一年: 最晚至 {one_year_after(starts_on)} (an exemption lasts at most one year)",
        )
    if ends_on < today:
        raise Problem(422, "validation", "输入有误 Invalid input", "免督查期已过 (the period is over)")


def in_force(starts_on: date, ends_on: date, today: date) -> bool:
    return starts_on <= today <= ends_on
