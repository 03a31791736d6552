"""Questions scoring asks of its organisation replica. Keyword-only, never commit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.errors import Problem
from luoshi_scoring.orgs.models import Org


async def tier_members(*, session: AsyncSession, scope_org: str, tier: str) -> list[Org]:
    """The units ranked together: the active organisations directly under ``scope_org`` of level ``tier``
    (the cities of the province, the province's departments, the counties of a city …)."""
    query = select(Org).where(Org.parent_code == scope_org, Org.level == tier, Org.active).order_by(Org.code)
    return list((await session.scalars(query)).all())


async def children(*, session: AsyncSession, parent: str) -> list[Org]:
    query = select(Org).where(Org.parent_code == parent, Org.active).order_by(Org.code)
    return list((await session.scalars(query)).all())


async def names_of(*, session: AsyncSession, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = (await session.execute(select(Org.code, Org.name).where(Org.code.in_(codes)))).all()
    return {code: name for code, name in rows}


async def require_known(*, session: AsyncSession, code: str) -> Org:
    """422 ``unknown-org`` unless ``code`` is an active organisation of the replica."""
    org = await session.get(Org, code)
    if org is None or not org.active:
        raise Problem(
            422, "unknown-org", "单位不存在 Unknown organisation", f"未知单位代码: {code}", units=[code]
        )
    return org
