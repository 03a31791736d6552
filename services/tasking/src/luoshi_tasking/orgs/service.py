"""Questions tasking asks of its organisation replica. Keyword-only, never commit."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.cache import ProcessCache
from luoshi_kit.errors import Problem
from luoshi_tasking.orgs.models import Org, OrgTree

TREE_ROW = 1


async def replica_is_loaded(*, session: AsyncSession) -> bool:
    """The gateway has announced its tree and every organisation it counted has arrived here."""
    expected = await session.scalar(select(OrgTree.org_count).where(OrgTree.id == TREE_ROW))
    if expected is None:
        return False
    return (await session.scalar(select(func.count()).select_from(Org)) or 0) >= expected


async def org_replica(app: FastAPI) -> bool:
    """Readiness check: tasking refuses unknown organisations, so it cannot serve before this."""
    async with app.state.sessionmaker() as session:
        return await replica_is_loaded(session=session)


# The active organisations, cached per process: a code found there is taken as active (one deactivated in
# the last ttl seconds, on another replica, may still be accepted); a code not found is asked of the table,
# so a unit created a moment ago is never refused.
ACTIVE_ORGS = ProcessCache[frozenset[str]]("active-orgs", ttl=10.0)


async def _read_active(session: AsyncSession) -> frozenset[str]:
    return frozenset((await session.scalars(select(Org.code).where(Org.active))).all())


async def require_known_orgs(*, session: AsyncSession, codes: Iterable[str]) -> None:
    """422 ``unknown-org`` naming every code that is not an active organisation (in the given order)."""
    wanted = sorted(codes) if isinstance(codes, set | frozenset) else list(dict.fromkeys(codes))
    if not wanted:
        return
    cached = await ACTIVE_ORGS.get(session, _read_active)
    missing = [c for c in wanted if c not in cached]
    known = set(cached)
    if missing:
        known |= set((await session.scalars(select(Org.code).where(Org.code.in_(missing), Org.active))).all())
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise Problem(
            422,
            "unknown-org",
            "单位不存在 Unknown organisation",
            f"未知单位代码: {', '.join(unknown)}",
            units=unknown,
        )
