"""``snapshot_reads``: one snapshot for a route's reads on PostgreSQL (REPEATABLE READ); SQLite as is."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from luoshi_kit.db import snapshot_reads


async def _isolation(url: str) -> tuple[str, str]:
    engine = create_async_engine(url)
    try:
        async with async_sessionmaker(engine)() as session:
            await snapshot_reads(session)
            inside = (await session.execute(text("SHOW transaction_isolation"))).scalar_one()
        async with async_sessionmaker(engine)() as session:
            plain = (await session.execute(text("SHOW transaction_isolation"))).scalar_one()
        return inside, plain
    finally:
        await engine.dispose()


def test_repeatable_read_on_postgresql_only_where_asked(postgres_url: str) -> None:
    inside, plain = asyncio.run(_isolation(postgres_url))
    assert (inside, plain) == ("repeatable read", "read committed")


async def _sqlite() -> int:
    engine = create_async_engine("sqlite+aiosqlite:///:memory:")
    try:
        async with AsyncSession(engine) as session:
            await snapshot_reads(session)
            return int((await session.execute(text("SELECT 1"))).scalar_one())
    finally:
        await engine.dispose()


def test_sqlite_reads_as_before() -> None:
    assert asyncio.run(_sqlite()) == 1
