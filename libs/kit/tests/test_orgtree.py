"""within_subtree agrees with is_within, and PostgreSQL answers it from a plain b-tree index."""

from __future__ import annotations

import asyncio
import itertools

from sqlalchemy import Column, Index, MetaData, String, Table, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import create_async_engine

from luoshi_kit.orgtree import within_subtree
from luoshi_proto.divisions import is_within, subtree_bounds

metadata = MetaData()
unit = Table("unit", metadata, Column("code", String(15), primary_key=True), Column("org", String(15)))
Index("ix_unit_org", unit.c.org)

CODES = [
    "520000000000",
    "520000000000D01",
    "520100000000",
    "520100000000D04",
    "520102000000",
    "520102001000",
    "520199000000",
    "520200000000",
    "520900000000",
    "529900000000",
    "530000000000",
    "999900000000",
    "990000000000",
]


def test_bounds() -> None:
    assert subtree_bounds("520100000000") == ("5201", "5202")
    assert subtree_bounds("520900000000") == ("5209", "5210")
    assert subtree_bounds("529900000000") == ("5299", "5300")
    assert subtree_bounds("520102001000") == ("520102001", "520102002")
    assert subtree_bounds("990000000000") == ("99", None)


def _rows(n_per_county: int = 40) -> list[dict[str, str]]:
    rows = [{"code": f"c{i}", "org": code} for i, code in enumerate(CODES)]
    counter = itertools.count()
    for city in range(1, 10):
        for county in range(1, 30):
            for town in range(n_per_county):
                code = f"52{city:02d}{county:02d}{town:03d}000"
                rows.append({"code": f"r{next(counter)}", "org": code})
    return rows


async def _run(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            rows = _rows()
            await conn.execute(unit.insert(), rows)
            await conn.execute(text("ANALYZE unit"))
        async with engine.connect() as conn:
            for scope in CODES:
                got = set(
                    (await conn.scalars(select(unit.c.org).where(within_subtree(unit.c.org, scope)))).all()
                )
                assert got == {r["org"] for r in rows if is_within(r["org"], scope)}, scope
            for scope in ("520102000000", "520100000000", "520102001000"):
                query = select(unit.c.code).where(within_subtree(unit.c.org, scope))
                compiled = query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
                plan = "\n".join((await conn.execute(text(f"EXPLAIN {compiled}"))).scalars().all())
                assert "ix_unit_org" in plan and "Seq Scan" not in plan, plan
    finally:
        await engine.dispose()


def test_matches_is_within_and_uses_the_index(postgres_url: str) -> None:
    asyncio.run(_run(postgres_url))
