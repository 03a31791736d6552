"""Questions tasking asks of its organisation replica. Keyword-only, never commit."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

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


async def require_known_orgs(*, session: AsyncSession, codes: Iterable[str]) -> None:
    """422 ``unknown-org`` naming every code that is not an active organisation (in the given order)."""
    wanted = sorted(codes) if isinstance(codes, set | frozenset) else list(dict.fromkeys(codes))
    if not wanted:
        return
    known = set((await session.scalars(select(Org.code).where(Org.code.in_(wanted), Org.active))).all())
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise Problem(
            422,
            "unknown-org",
            "单位不存在 Unknown organisation",
            f"未知单位代码: {', '.join(unknown)}",
            units=unknown,
        )
