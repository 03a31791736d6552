"""Operator commands on the gateway's read models."""

from __future__ import annotations

from luoshi_gateway.db import TABLES
from luoshi_gateway.views import summaries
from luoshi_kit.db import make_engine, make_sessionmaker


async def rebuild_summaries(database_url: str) -> tuple[int, int]:
    """(figures that differed from a recount, rows written by the rebuild)."""
    engine = make_engine(database_url)
    try:
        maker = make_sessionmaker(engine, TABLES)
        async with maker() as session:
            stored, expected = (
                await summaries.stored(session=session),
                await summaries.recount(session=session),
            )
        differing = sum(1 for key in stored.keys() | expected.keys() if stored.get(key) != expected.get(key))
        async with maker() as session, session.begin():
            written = await summaries.rebuild(session=session)
        return differing, written
    finally:
        await engine.dispose()
