"""The per-process cache: one entry per database, kept for its ttl, forgotten when a change commits."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from luoshi_kit.cache import ProcessCache


async def test_cached_per_database_until_a_change_commits(tmp_path: Path) -> None:
    engines = [create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/{n}.sqlite") for n in ("a", "b")]
    loads: list[str] = []
    cache = ProcessCache[int]("answer", ttl=60)

    async def load(session: AsyncSession) -> int:
        loads.append(str(session.get_bind().engine.url))
        return len(loads)

    try:
        a, b = (async_sessionmaker(e) for e in engines)
        async with a() as session:
            assert await cache.get(session, load) == 1
            assert await cache.get(session, load) == 1  # cached
        async with b() as session:
            assert await cache.get(session, load) == 2  # another database, its own entry
        async with a() as session, session.begin():
            cache.changed(session)
            assert await cache.get(session, load) == 3  # forgotten at once, for this transaction's reads
            await session.execute(text("select 1"))
        async with a() as session:
            assert await cache.get(session, load) == 4  # and again after the commit
            assert await cache.get(session, load) == 4
        expired = ProcessCache[int]("expired", ttl=0)
        async with a() as session:
            first, second = await expired.get(session, load), await expired.get(session, load)
        assert second == first + 1
    finally:
        for engine in engines:
            await engine.dispose()
