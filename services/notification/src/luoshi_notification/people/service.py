from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_notification.people.models import Person


async def people_with_role(*, session: AsyncSession, org_codes: list[str], role: str) -> list[Person]:
    rows = (await session.scalars(select(Person).where(Person.org_code.in_(org_codes), Person.active))).all()
    return [p for p in rows if role in p.roles]
