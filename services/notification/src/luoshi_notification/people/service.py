from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_notification.people.models import Person


async def people_with_roles(
    *, session: AsyncSession, org_codes: Sequence[str], roles: Sequence[str] | None
) -> list[Person]:
    """Active people of ``org_codes`` holding one of ``roles`` (None: any role; the caller filters)."""
    rows = (await session.scalars(select(Person).where(Person.org_code.in_(org_codes), Person.active))).all()
    return [p for p in rows if roles is None or any(role in p.roles for role in roles)]
