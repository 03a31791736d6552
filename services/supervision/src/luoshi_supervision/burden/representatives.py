"""两代表一委员现场督查: each government invites representatives 1–2 times a year; one with none by the
configured day (``LUOSHI_REPRESENTATIVES_DUE``, MM-DD) is flagged."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_supervision.config import SupervisionSettings
from luoshi_supervision.inspections.planning import representatives_count


class RepresentativesStatus(BaseModel):
    org_code: str
    year: int
    count: int
    required_min: int = 1
    allowed_max: int
    due_on: date
    flagged: bool


def due_on(year: int, month_day: str) -> date:
    month, day = (int(p) for p in month_day.split("-"))
    return date(year, month, day)


def flagged(*, count: int, today: date, due: date) -> bool:
    """None held and the due day has passed (within the year; a past year is judged at its end)."""
    return count == 0 and today > due


async def representatives_status(
    *, session: AsyncSession, org: str, year: int | None, today: date, settings: SupervisionSettings
) -> RepresentativesStatus:
    the_year = year or today.year
    count = await representatives_count(session=session, org=org, year=the_year)
    due = due_on(the_year, settings.representatives_due)
    return RepresentativesStatus(
        org_code=org,
        year=the_year,
        count=count,
        allowed_max=settings.representatives_max_per_year,
        due_on=due,
        flagged=flagged(count=count, today=today, due=due),
    )
