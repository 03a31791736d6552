"""HTTP routes of the working-day calendar: read by everyone, loaded by an administrator."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from luoshi_kit.deps import SessionDep
from luoshi_kit.permissions import Authenticated, ProvinceAdmin
from luoshi_tasking.calendar import service
from luoshi_tasking.calendar.rules import YearSchedule
from luoshi_tasking.calendar.schemas import CalendarYearIn, CalendarYearOut

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar 工作日历"])

Year = Annotated[int, Path(ge=1949, le=2200, description="公历年份")]


async def _year_out(session: SessionDep, year: int) -> CalendarYearOut:
    cal = await service.load_calendar(session=session)
    record = await service.get_year_record(session=session, year=year)
    # A loaded year answers with the lists as loaded; otherwise the year as its source decides it.
    schedule = cal.official.get(year) or cal.schedule(year)
    return CalendarYearOut(
        year=year,
        source=cal.source(year),
        provisional=cal.source(year) == "provisional",
        holidays=sorted(schedule.holidays),
        workdays=sorted(schedule.workdays),
        note=record.note if record else None,
        updated_by=record.updated_by if record else None,
        updated_at=record.updated_at if record else None,
    )


@router.get(
    "/{year}",
    response_model=CalendarYearOut,
    summary="年度工作日历 A year's holidays and workdays",
    dependencies=[Authenticated],
)
async def get_year(year: Year, session: SessionDep) -> CalendarYearOut:
    return await _year_out(session, year)


@router.put(
    "/{year}", response_model=CalendarYearOut, summary="导入年度节假日安排 Load a year's official schedule"
)
async def put_year(
    year: Year, body: CalendarYearIn, session: SessionDep, identity: ProvinceAdmin
) -> CalendarYearOut:
    schedule = YearSchedule(year=year, holidays=frozenset(body.holidays), workdays=frozenset(body.workdays))
    async with session.begin():
        await service.save_year(
            session=session, schedule=schedule, updated_by=identity.person_id, note=body.note
        )
    return await _year_out(session, year)
