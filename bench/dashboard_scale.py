"""Dashboards at scale: the gateway's dashboard over 1,000,000 task views in PostgreSQL.

Side by side in one run: the on-demand aggregate the gateway used before (one aggregate per child over a
``LIKE 'prefix%'``) and the per-organisation summaries it keeps from events now (views/summaries.py).
Target (issue 10): a dashboard of any organisation p95 <= 10 ms. Prints figures and replaces its section
of RESULTS.md.

    uv run python bench/dashboard_scale.py [--tasks 1000000] [--rounds 30] [--no-write]

PostgreSQL: ``LUOSHI_BENCH_POSTGRES_URL`` or ``LUOSHI_TEST_POSTGRES_URL`` (no database name); the database
``luoshi_bench_dashboard`` is recreated.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

import luoshi_gateway.main  # noqa: F401  (registers every table on Base)
from bench.common import RESULTS, load_orgs, machine, p95, recreate_database, replace_section, server_url
from luoshi_gateway.db import TABLES, Base
from luoshi_gateway.orgs.models import Org
from luoshi_gateway.views import service as views_service
from luoshi_gateway.views import summaries
from luoshi_gateway.views.models import TaskView
from luoshi_kit.db import make_engine, make_sessionmaker
from luoshi_kit.identity import Identity
from luoshi_proto.divisions import division_parts
from luoshi_proto.tasking.states import OPEN_STATES

DB_NAME = "luoshi_bench_dashboard"
TARGET_MS = 10.0
STATES = [
    "assigned",
    "accepted",
    "accepted",
    "accepted",
    "returned",
    "completed",
    "closed",
    "archived",
    "cancelled",
]
ADMIN = Identity(
    person_id="bench", username="bench", display_name="bench", org_code="520000000000", roles=["admin"]
)


def task_rows(count: int, units: list[str], rng: random.Random) -> list[tuple[Any, ...]]:
    now = datetime.now(UTC)
    rows = []
    for _ in range(count):
        state = rng.choice(STATES)
        deadline = date(2026, 1, 1) + timedelta(days=rng.randint(0, 700))
        completed = (
            deadline - timedelta(days=rng.randint(-20, 60)) if state in ("closed", "archived") else None
        )
        rows.append(
            (
                str(uuid.uuid4()),
                "bench task",
                "520000000000",
                rng.choice(units),
                "[]",
                None,
                deadline,
                state,
                rng.randint(0, 100),
                rng.random() < 0.08,
                rng.random() < 0.15,
                completed,
                now,
            )
        )
    return rows


async def load(url: str, orgs: list[dict[str, str]], count: int) -> float:
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
                (o["code"], o["name"], "government", o["level"], o["parent_code"] or None, False, True)
                for o in orgs
            ],
            columns=["code", "name", "kind", "level", "parent_code", "synthetic", "active"],
        )
        units = [o["code"] for o in orgs]
        columns = [c.name for c in TaskView.__table__.columns]
        rng = random.Random(7)
        for offset in range(0, count, 100_000):
            rows = task_rows(min(100_000, count - offset), units, rng)
            await raw.copy_records_to_table("task_view", records=rows, columns=columns)
        await raw.execute("VACUUM (ANALYZE)")
    finally:
        await raw.close()
    return time.perf_counter() - started


def _old_figures(scope: str) -> Any:
    """The on-demand aggregate the gateway ran per organisation before the summaries."""
    closed = TaskView.state.in_(("closed", "archived"))
    on_time = closed & (TaskView.completed_on <= TaskView.deadline)
    open_ = TaskView.state.in_(OPEN_STATES)
    return select(
        func.count(),
        func.sum(case((closed, 1), else_=0)),
        func.sum(case((on_time, 1), else_=0)),
        func.sum(case((open_ & TaskView.overdue, 1), else_=0)),
        func.sum(case((open_ & TaskView.lagging, 1), else_=0)),
    ).where(TaskView.lead_unit.startswith("".join(division_parts(scope))))


async def old_dashboard(session: AsyncSession, org_code: str) -> int:
    await session.execute(
        select(TaskView.state, func.count())
        .where(TaskView.lead_unit.startswith("".join(division_parts(org_code))))
        .group_by(TaskView.state)
    )
    await session.execute(_old_figures(org_code))
    children = (await session.scalars(select(Org.code).where(Org.parent_code == org_code))).all()
    for child in children:
        await session.execute(_old_figures(child))
    return len(children)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--old-rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    orgs = load_orgs()
    url = await recreate_database(server_url(), DB_NAME)
    load_s = await load(url, orgs, args.tasks)
    engine = make_engine(url)
    maker = make_sessionmaker(engine, TABLES)
    started = time.perf_counter()
    async with maker() as session, session.begin():
        rows = await summaries.rebuild(session=session)
    rebuild_s = time.perf_counter() - started
    picks = {
        "province 贵州省": "520000000000",
        "city 贵阳市": "520100000000",
        "county 南明区": "520102000000",
        "township (first of 南明区)": next(o["code"] for o in orgs if o["parent_code"] == "520102000000"),
    }
    lines = [
        "## Dashboards at scale",
        "",
        f"`bench/dashboard_scale.py`, {args.tasks:,} task views over {len(orgs):,} divisions, PostgreSQL; "
        f"{machine()}; {datetime.now(UTC):%Y-%m-%d}. Load {load_s:.0f} s; `rebuild-summaries` "
        f"{rebuild_s:.1f} s ({rows:,} summary rows). Same run, same data: the on-demand aggregate of "
        "before vs the summaries.",
        "",
        "| dashboard of | children | before: on demand p50 / p95 ms | now: summaries p50 / p95 ms "
        "| target p95 |",
        "|---|---|---|---|---|",
    ]
    async with maker() as session:
        for label, code in picks.items():
            old: list[float] = []
            for _ in range(args.old_rounds):
                t = time.perf_counter()
                children = await old_dashboard(session, code)
                old.append((time.perf_counter() - t) * 1000)
            new: list[float] = []
            for _ in range(args.rounds):
                t = time.perf_counter()
                board = await views_service.dashboard(session=session, identity=ADMIN, org_code=code)
                new.append((time.perf_counter() - t) * 1000)
            check = Counter(board.by_state)
            assert sum(check.values()) >= sum(c.tasks for c in board.children)  # own tasks + children
            verdict = "PASS" if p95(new) <= TARGET_MS else "NOT met"
            lines.append(
                f"| {label} | {children} | {statistics.median(old):.0f} / {p95(old):.0f} | "
                f"{statistics.median(new):.1f} / {p95(new):.1f} | ≤ {TARGET_MS:.0f} ms **{verdict}** |"
            )
    await engine.dispose()
    print("\n".join(lines))
    if not args.no_write:
        replace_section(RESULTS, "## Dashboards at scale", "\n".join(lines) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
