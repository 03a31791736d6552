"""Scoring at scale: standings of all 1,608 Guizhou organisations after 1,000,000 ledger entries (PostgreSQL).

Loads the organisation replica and the entries with COPY, builds the standings the way the ledger keeps them
(one row per unit and period, quarters and the year), then times what people read: a tier's draft ranking
(computed live from the standings: the province's cities, a city's counties, the largest county's townships)
and a unit's standing page (its figures and the newest page of the entries behind them), through the
service and route functions themselves. Targets (issue 12): ranking p95 <= 50 ms, standing page <= 20 ms.
It also times the recompute check over the whole ledger. Prints figures, replaces its section of RESULTS.md.

    uv run python -m bench.scoring_scale [--entries 1000000] [--rounds 50] [--no-write]

PostgreSQL: ``LUOSHI_BENCH_POSTGRES_URL`` or ``LUOSHI_TEST_POSTGRES_URL`` (no database name); the database
``luoshi_bench_scoring`` is recreated.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

import luoshi_scoring.main  # noqa: F401  (registers every table on Base)
from bench.common import (
    RESULTS,
    load_average,
    load_orgs,
    machine,
    p95,
    recreate_database,
    replace_section,
    server_url,
)
from luoshi_kit.db import make_engine, make_sessionmaker
from luoshi_kit.identity import Identity
from luoshi_kit.paging import PageParams
from luoshi_scoring.db import TABLES, Base
from luoshi_scoring.ledger.check import recompute
from luoshi_scoring.ledger.routes import standing_page
from luoshi_scoring.rankings import service as rankings
from luoshi_scoring.rankings.models import Ranking
from luoshi_scoring.rulebook.defaults import DEFAULT_RULES

DB_NAME = "luoshi_bench_scoring"
HEADING = "## Scoring at scale"
RANKING_TARGET_MS, STANDING_TARGET_MS = 50.0, 20.0
QUARTERS = ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
ADMIN = Identity(
    person_id="bench", username="bench", display_name="bench", org_code="520000000000", roles=["admin"]
)


def entry_rows(start: int, count: int, units: list[str], rng: random.Random) -> list[tuple[Any, ...]]:
    now = datetime.now(UTC)
    rules = list(DEFAULT_RULES)
    rows: list[tuple[Any, ...]] = []
    for n in range(start, start + count):
        rule = rng.choice(rules)
        period = "2026" if rule.period_kind == "year" else rng.choice(QUARTERS)
        quantity = rng.randint(1, 5) if rule.per == "working_day" else 1
        day = date(2026, 1, 1) + timedelta(days=rng.randint(0, 364))
        rows.append(
            (
                str(uuid.uuid4()),
                rng.choice(units),
                period,
                "rule",
                rule.code,
                1,
                rule.points * quantity,
                quantity,
                f"{rule.title} (规则 {rule.code} 第 1 版): 基准测试 {n}",
                f"bench:{n}",
                str(uuid.uuid4()),
                "tasking.task.closed.v1",
                None,
                day,
                None,
                None,
                None,
                None,
                now - timedelta(seconds=start + count - n),
            )
        )
    return rows


STANDINGS_SQL = """
INSERT INTO standing (org_code, period, points, entries, deductions, negative, updated_at)
SELECT org_code, p, sum(points), count(*),
       sum(CASE WHEN points < 0 AND rule_code <> 'correction' THEN 1 ELSE 0 END),
       sum(CASE WHEN rule_code = 'negative_listed' THEN 1 ELSE 0 END), now()
FROM (SELECT org_code, period AS p, points, rule_code FROM points_entry
      UNION ALL
      SELECT org_code, substr(period, 1, 4), points, rule_code FROM points_entry WHERE length(period) = 6) e
GROUP BY org_code, p
"""


async def load(url: str, orgs: list[dict[str, str]], count: int) -> tuple[float, float]:
    started = time.perf_counter()
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    await engine.dispose()
    raw = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await raw.copy_records_to_table(
            "org",
            records=[
                (o["code"], o["name"], "government", o["level"], o["parent_code"] or None, True) for o in orgs
            ],
            columns=["code", "name", "kind", "level", "parent_code", "active"],
        )
        units = [o["code"] for o in orgs]
        columns = [c.name for c in Base.metadata.tables["points_entry"].columns]
        rng = random.Random(12)
        for offset in range(0, count, 100_000):
            rows = entry_rows(offset, min(100_000, count - offset), units, rng)
            await raw.copy_records_to_table("points_entry", records=rows, columns=columns)
        loaded = time.perf_counter() - started
        began = time.perf_counter()
        await raw.execute(STANDINGS_SQL)
        await raw.execute("VACUUM (ANALYZE)")
        return loaded, time.perf_counter() - began
    finally:
        await raw.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    orgs = load_orgs()
    url = await recreate_database(server_url(), DB_NAME)
    load_s, standings_s = await load(url, orgs, args.entries)
    engine = make_engine(url)
    maker = make_sessionmaker(engine, TABLES)
    by_parent: dict[str, list[str]] = {}
    for o in orgs:
        by_parent.setdefault(o["parent_code"], []).append(o["code"])
    largest = max(
        (p for p in by_parent if p and len(p) == 12 and p[4:6] != "00"), key=lambda p: len(by_parent[p])
    )
    tiers = {
        "贵州省: its cities": ("520000000000", "city"),
        "贵阳市: its counties": ("520100000000", "county"),
        f"{largest}: its {len(by_parent[largest])} townships": (largest, "township"),
    }
    rng = random.Random(3)
    lines = [
        HEADING,
        "",
        f"`python -m bench.scoring_scale`, {args.entries:,} ledger entries over {len(orgs):,} organisations, "
        f"PostgreSQL; {machine()}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average at the start "
        f"{load_average()} (the machine is shared with other sessions' tests). Load (COPY) {load_s:.0f} s; "
        f"standings built {standings_s:.1f} s.",
        "",
        "| read | p50 ms | p95 ms | target p95 |",
        "|---|---|---|---|",
    ]
    for label, (scope, tier) in tiers.items():
        ranking = Ranking(
            id=str(uuid.uuid4()),
            scope_org=scope,
            tier=tier,
            period="2026Q4",
            state="draft",
            created_by="bench",
            created_at=datetime.now(UTC),
        )
        async with maker() as setup, setup.begin():
            setup.add(ranking)
        timings = []
        for _ in range(args.rounds):  # a session per read, as a request has
            t = time.perf_counter()
            async with maker() as session:
                out = await rankings.ranking_out(session=session, ranking=ranking)
            timings.append((time.perf_counter() - t) * 1000)
        assert out.lines and any(line.entries for line in out.lines)
        verdict = "PASS" if p95(timings) <= RANKING_TARGET_MS else "NOT met"
        lines.append(
            f"| draft ranking, {label} ({len(out.lines)} units) | {statistics.median(timings):.1f} | "
            f"{p95(timings):.1f} | ≤ {RANKING_TARGET_MS:.0f} ms **{verdict}** |"
        )
    for period in ("2026Q4", "2026"):
        timings = []
        for _ in range(args.rounds):
            org = rng.choice(orgs)["code"]
            t = time.perf_counter()
            async with maker() as session:
                page = await standing_page(
                    org_code=org, session=session, identity=ADMIN, page=PageParams(), period=period
                )
            timings.append((time.perf_counter() - t) * 1000)
        assert page.standing.period == period and page.entries.total == page.standing.entries
        verdict = "PASS" if p95(timings) <= STANDING_TARGET_MS else "NOT met"
        lines.append(
            f"| a unit's standing page, {period} (figures + newest 50 entries) | "
            f"{statistics.median(timings):.1f} | {p95(timings):.1f} | "
            f"≤ {STANDING_TARGET_MS:.0f} ms **{verdict}** |"
        )
    t = time.perf_counter()
    async with maker() as session:
        result = await recompute(session=session)
    check_s = time.perf_counter() - t
    assert result.mismatches == [], result.mismatches[:3]
    await engine.dispose()
    lines += [
        "",
        f"Recompute check over the whole ledger (`GET /api/v1/points/check`): {check_s:.1f} s, "
        f"{result.standings:,} standings, 0 mismatches (points are `Numeric`: sums are exact).",
    ]
    print("\n".join(lines))
    if not args.no_write:
        replace_section(RESULTS, HEADING, "\n".join(lines) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
