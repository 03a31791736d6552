"""``snapshot_reads``: one snapshot for a route's reads on PostgreSQL (REPEATABLE READ) and on SQLite, which
begins no transaction for reads by itself."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from luoshi_kit.db import make_engine, snapshot_reads


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


async def _sqlite_snapshot(path: str) -> tuple[int, int]:
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE item (n INTEGER)"))
        async with AsyncSession(engine) as reader, AsyncSession(engine) as writer:
            await snapshot_reads(reader)
            first = int((await reader.execute(text("SELECT count(*) FROM item"))).scalar_one())
            async with writer.begin():  # a commit between the page's two reads
                await writer.execute(text("INSERT INTO item VALUES (1)"))
            second = int((await reader.execute(text("SELECT count(*) FROM item"))).scalar_one())
        return first, second
    finally:
        await engine.dispose()


def test_sqlite_reads_one_snapshot_too(tmp_path: Path) -> None:
    """pysqlite begins no transaction before a SELECT: without an explicit BEGIN each read saw the latest
    commit (the standing page once showed an entry its standing did not count yet, embedded e2e)."""
    assert asyncio.run(_sqlite_snapshot(str(tmp_path / "snap.db"))) == (0, 0)
