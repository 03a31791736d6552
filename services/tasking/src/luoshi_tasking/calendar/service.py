"""Loading and saving official schedules. Keyword-only, never commit: the caller owns the transaction."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.cache import ProcessCache
from luoshi_kit.db import utcnow
from luoshi_kit.errors import Problem
from luoshi_tasking.calendar.models import CalendarDay, CalendarYear
from luoshi_tasking.calendar.rules import WorkCalendar, YearSchedule

CALENDAR = ProcessCache[WorkCalendar]("calendar", ttl=10.0)


async def load_calendar(*, session: AsyncSession) -> WorkCalendar:
    """The working-day calendar with every year an administrator loaded (cached per process)."""
    return await CALENDAR.get(session, _read_calendar)


async def _read_calendar(session: AsyncSession) -> WorkCalendar:
    years = (await session.scalars(select(CalendarYear.year))).all()
    days: dict[int, dict[str, set[date]]] = defaultdict(lambda: {"holiday": set(), "workday": set()})
    for row in (await session.execute(select(CalendarDay.year, CalendarDay.kind, CalendarDay.day))).all():
        days[row.year][row.kind].add(row.day)
    return WorkCalendar(
        official={
            y: YearSchedule(
                year=y, holidays=frozenset(days[y]["holiday"]), workdays=frozenset(days[y]["workday"])
            )
            for y in years
        }
    )


def check_schedule(schedule: YearSchedule) -> None:
    """Every date within the year, none both a holiday and a workday; else 422 and nothing written."""
    outside = sorted(d for d in schedule.holidays | schedule.workdays if d.year != schedule.year)
    if outside:
        raise Problem(
            422,
            "calendar-date-outside-year",
            "日期不在该年度 Date outside the year",
            f"以下日期不属于 {schedule.year} 年: {', '.join(map(str, outside))}",
            dates=[d.isoformat() for d in outside],
        )
    both = sorted(schedule.holidays & schedule.workdays)
    if both:
        raise Problem(
            422,
            "calendar-date-in-both-lists",
            "日期重复 Date listed as both holiday and workday",
            f"以下日期同时列为放假和上班: {', '.join(map(str, both))}",
            dates=[d.isoformat() for d in both],
        )


async def save_year(
    *, session: AsyncSession, schedule: YearSchedule, updated_by: str | None = None, note: str | None = None
) -> None:
    """Replace the year's official schedule (validated first, so a bad one writes nothing)."""
    check_schedule(schedule)
    CALENDAR.changed(session)
    await session.execute(delete(CalendarDay).where(CalendarDay.year == schedule.year))
    year = await session.get(CalendarYear, schedule.year)
    if year is None:
        session.add(CalendarYear(year=schedule.year, note=note, updated_by=updated_by, updated_at=utcnow()))
    else:
        year.note, year.updated_by, year.updated_at = note, updated_by, utcnow()
    session.add_all(
        [CalendarDay(day=d, year=schedule.year, kind="holiday") for d in sorted(schedule.holidays)]
        + [CalendarDay(day=d, year=schedule.year, kind="workday") for d in sorted(schedule.workdays)]
    )
    await session.flush()


async def get_year_record(*, session: AsyncSession, year: int) -> CalendarYear | None:
    return await session.get(CalendarYear, year)
