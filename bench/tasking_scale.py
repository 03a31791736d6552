"""Tasking at scale: 1,000,000 tasks over Guizhou's real organisation tree in PostgreSQL.

Measures the deadline scan (first run, which raises the backlog of alerts, and a second run, the
steady state every interval) and the p95 of a subtree list page. Targets (issue 4): scan < 2 s,
list page p95 < 100 ms. A script, not a test: it prints figures and replaces its section of RESULTS.md.

    uv run python bench/tasking_scale.py [--tasks 1000000] [--no-write]

PostgreSQL: ``LUOSHI_BENCH_POSTGRES_URL`` or ``LUOSHI_TEST_POSTGRES_URL`` (no database name), default
``postgresql+asyncpg://postgres@127.0.0.1:5432``; the database ``luoshi_bench_tasking`` is recreated.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import random
import statistics
import subprocess
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import asyncpg
from sqlalchemy import JSON, pool, select, text
from sqlalchemy.ext.asyncio import create_async_engine

import luoshi_tasking.main  # noqa: F401  (registers every table on Base)
from luoshi_kit.db import make_engine, make_sessionmaker
from luoshi_kit.identity import Identity
from luoshi_kit.timebase import business_today
from luoshi_tasking.db import TABLES, Base
from luoshi_tasking.deadlines.jobs import run_scan_once
from luoshi_tasking.deadlines.models import DeadlineAlert
from luoshi_tasking.deadlines.scan import ALERT_CHUNK
from luoshi_tasking.tasks import service as task_service
from luoshi_tasking.tasks.models import Task
from luoshi_tasking.tasks.schemas import COUNT_CAP
from luoshi_tasking.tasks.scopes import scope_rows

ROOT = Path(__file__).resolve().parents[1]
DIVISIONS = ROOT / "services/gateway/src/luoshi_gateway/orgs/data/guizhou_divisions.csv"
DB_NAME = "luoshi_bench_tasking"
SCOPE_COLUMNS = ["task_id", "scope", "deadline", "created_at", "state"]  # the order scope_rows gives
SCAN_TARGET_S, LIST_TARGET_MS = 2.0, 100.0


def server_url() -> str:
    url = os.environ.get("LUOSHI_BENCH_POSTGRES_URL") or os.environ.get("LUOSHI_TEST_POSTGRES_URL")
    return (url or "postgresql+asyncpg://postgres@127.0.0.1:5432").rstrip("/")


def load_orgs() -> list[dict[str, str]]:
    with DIVISIONS.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def departments(orgs: list[dict[str, str]]) -> list[str]:
    """Eight departments (部门) for each province, city and county government."""
    govs = [o["code"] for o in orgs if o["level"] in ("province", "city", "county")]
    return [f"{gov}D{i:02d}" for gov in govs for i in range(1, 9)]


def generate(count: int, orgs: list[dict[str, str]], today: date, rng: random.Random) -> list[dict[str, Any]]:
    """Realistic tasks: spans of 2 weeks to 18 months; past deadlines mostly closed out (6 % still open,
    i.e. overdue); progress near the time-proportional line with a few laggards; 5 % with
    issuer-set report dates; 15 % of open tasks without any report yet."""
    parent = {o["code"]: o["parent_code"] or o["code"] for o in orgs}
    for dept in departments(orgs):
        parent[dept] = dept[:12]  # a government's department is tasked by that government
    units = [o["code"] for o in orgs if o["level"] != "province"]
    depts = departments(orgs)
    below: dict[str, list[str]] = {}
    for unit in units + depts:
        below.setdefault(parent[unit], []).append(unit)
    rows = []
    for _ in range(count):
        lead = rng.choice(depts) if rng.random() < 0.15 else rng.choice(units)
        # 30 % multi-unit tasks: co-units from the same issuer's units and departments
        peers = [u for u in rng.sample(below[parent[lead]], min(4, len(below[parent[lead]]))) if u != lead]
        co_units = peers[: rng.randint(1, 3)] if rng.random() < 0.3 else []
        start = today - timedelta(days=rng.randint(0, 540))
        deadline = start + timedelta(days=rng.randint(14, 540))
        span = (deadline - start).days
        share = min(1.0, max(0.0, (today - start).days / span))
        if deadline < today:
            state = rng.choices(["archived", "closed", "completed", "accepted"], [60, 25, 9, 6])[0]
        else:
            state = rng.choices(
                ["assigned", "accepted", "returned", "completed", "cancelled"], [10, 82, 2, 4, 2]
            )[0]
        done = state in ("archived", "closed", "completed")
        progress = 100 if done else int(min(100, max(0, round((share * 100 + rng.gauss(5, 10)) / 5) * 5)))
        explicit = []
        if rng.random() < 0.05:
            explicit = [(start + timedelta(days=30 * (i + 1))).isoformat() for i in range(min(6, span // 30))]
        reported = rng.random() >= 0.15 and today > start
        last_report = (
            datetime.combine(
                today - timedelta(days=rng.randint(0, min(80, (today - start).days))),
                datetime.min.time(),
                UTC,
            )
            + timedelta(hours=2)
            if reported
            else None
        )
        created = datetime.combine(start, datetime.min.time(), UTC) + timedelta(hours=rng.randint(0, 10))
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "title": "重点工作任务",
                "description": "",
                "issuing_org": parent[lead],
                "lead_unit": lead,
                "co_units": co_units,
                "start_date": start if rng.random() < 0.6 else None,
                "deadline": deadline,
                "report_due_dates": explicit,
                "progress_percent": progress,
                "state": state,
                "created_by": "bench",
                "created_at": created,
                "updated_at": created,
                "last_report_at": last_report,
                "required_progress": "",
                "measures": "",
            }
        )
    return rows


def record_for(row: dict[str, Any], columns: list[Any]) -> tuple[Any, ...]:
    """A COPY record for whatever columns Task has now (other engineers add columns)."""
    out = []
    for column in columns:
        if column.name in row:
            value = row[column.name]
        elif column.default is not None and getattr(column.default, "is_scalar", False):
            value = column.default.arg
        elif column.default is not None and getattr(column.default, "is_callable", False):
            value = column.default.arg(None)
        else:
            value = None
        if isinstance(column.type, JSON) and value is not None:
            value = json.dumps(value, ensure_ascii=False)
        out.append(value)
    return tuple(out)


async def recreate_database(server: str) -> str:
    admin = create_async_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    await admin.dispose()
    return f"{server}/{DB_NAME}"


async def bulk_load(url: str, rows: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    columns = list(Task.__table__.columns)
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        chunk = 100_000
        for i in range(0, len(rows), chunk):
            records = [record_for(r, columns) for r in rows[i : i + chunk]]
            await conn.copy_records_to_table("task", records=records, columns=[c.name for c in columns])
            scopes = [
                tuple(u.values()) for r in rows[i : i + chunk] for u in scope_rows(SimpleNamespace(**r))
            ]
            await conn.copy_records_to_table("task_scope", records=scopes, columns=SCOPE_COLUMNS)
        # What autovacuum does on a live database: statistics, and the visibility map index-only scans need.
        await conn.execute("VACUUM (ANALYZE)")
    finally:
        await conn.close()
    return time.perf_counter() - started


async def timed_scan(url: str) -> tuple[float, Any]:
    """One scan round as the job runs it (chunked transactions): a fresh engine, rules, scan, commits."""
    engine = make_engine(url)
    maker = make_sessionmaker(engine, TABLES)
    started = time.perf_counter()
    result, _settings = await run_scan_once(maker)
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return elapsed, result


STATES: list[Any] = [None, ["assigned", "accepted", "returned"]]
SORTS: list[Any] = ["deadline", "-created_at"]
OFFSETS = [0, 500]  # the first page and page 11


async def list_page_latencies(
    url: str, orgs: list[dict[str, str]], rng: random.Random
) -> tuple[dict[str, list[float]], dict[str, list[float]], int]:
    """Every (state filter, sort, page) combination for sample orgs of each level, one session per
    request as the route has it. Returns latencies by level and by combination, and how many pages
    reported an estimated total."""
    engine = make_engine(url)
    maker = make_sessionmaker(engine, TABLES)
    levels = {
        lvl: [o["code"] for o in orgs if o["level"] == lvl]
        for lvl in ("province", "city", "county", "township")
    }
    levels["department"] = departments(orgs)
    samples = {"province": 1, "city": 3, "county": 4, "township": 5, "department": 4}
    by_level: dict[str, list[float]] = {}
    by_combo: dict[str, list[float]] = {}
    estimates = 0

    async def page(org: str, state: Any, sort: Any, offset: int) -> tuple[float, bool]:
        ident = Identity(person_id="b", username="b", display_name="b", org_code=org, roles=["handler"])
        async with maker() as session:
            started = time.perf_counter()
            _items, _total, estimated = await task_service.list_tasks(
                session=session, identity=ident, offset=offset, limit=50, state=state, sort=sort, count=True
            )
            elapsed = (time.perf_counter() - started) * 1000
        return elapsed, estimated

    await page(orgs[0]["code"], None, "deadline", 0)  # warm-up
    for level, n in samples.items():
        for org in rng.sample(levels[level], n):
            for state in STATES:
                for sort in SORTS:
                    for offset in OFFSETS:
                        ms, estimate = await page(org, state, sort, offset)
                        estimates += estimate
                        by_level.setdefault(level, []).append(ms)
                        combo = f"{'open states' if state else 'any state'}, {sort}, offset {offset}"
                        by_combo.setdefault(combo, []).append(ms)
    await engine.dispose()
    return by_level, by_combo, estimates


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) >= 2 else values[0]


def machine() -> dict[str, str]:
    model = ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next((line.split(":", 1)[1].strip() for line in out.splitlines() if "Model name" in line), "")
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model or platform.processor(),
        "python": platform.python_version(),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rng = random.Random(20261127)
    today = business_today()
    orgs = load_orgs()
    url = await recreate_database(server_url())
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
        pg_version = str(await conn.scalar(text("SHOW server_version")))
    await engine.dispose()

    started = time.perf_counter()
    rows = generate(args.tasks, orgs, today, rng)
    generated = time.perf_counter() - started
    loaded = await bulk_load(url, rows)
    open_count = sum(1 for r in rows if r["state"] in ("assigned", "accepted", "returned"))
    del rows
    print(
        f"generated {args.tasks:,} tasks in {generated:.1f}s, COPY + VACUUM ANALYZE {loaded:.1f}s; "
        f"open {open_count:,}"
    )

    first_s, first = await timed_scan(url)
    second_s, second = await timed_scan(url)
    engine = make_engine(url)
    async with engine.begin() as conn:  # forget the day's reference: the next scan is a full one
        await conn.execute(text("DELETE FROM deadline_scan_state"))
    await engine.dispose()
    third_s, third = await timed_scan(url)
    engine = make_engine(url)
    async with engine.connect() as conn:
        markers = await conn.scalar(select(text("count(*)")).select_from(DeadlineAlert.__table__))
    await engine.dispose()
    latencies, combos, estimates = await list_page_latencies(url, orgs, rng)
    everything = [v for values in latencies.values() for v in values]
    list_p95 = p95(everything)

    def verdict(value: float, target: float) -> str:
        return "PASS" if value < target else "FAIL"

    def scan_row(label: str, seconds: float, result: Any) -> str:
        return (
            f"| deadline scan, {label} ({sum(result.raised.values()):,} alerts, {result.candidates:,} "
            f"candidates, {result.transactions} transaction(s)) | {seconds:.2f} s "
            f"| < {SCAN_TARGET_S:.0f} s | {verdict(seconds, SCAN_TARGET_S)} |"
        )

    info = machine()
    lines = [
        "## Tasking at scale",
        "",
        f"`uv run python bench/tasking_scale.py` — {args.tasks:,} tasks over the {len(orgs):,} real Guizhou "
        f"divisions and {len(departments(orgs)):,} departments ({open_count:,} open, 30 % with co-units), "
        f"business date {today}, PostgreSQL {pg_version}, {info['nproc']} CPUs ({info['cpu']}), "
        f"Python {info['python']}; run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        "| measure | figure | target | result |",
        "|---|---|---|---|",
        f"| bulk load (COPY task + task_scope, VACUUM ANALYZE) | {loaded:.1f} s | – | – |",
        scan_row(f"first run, raises the backlog in chunks of {ALERT_CHUNK:,}", first_s, first),
        f"| deadline scan, first run: its longest transaction "
        f"| {first.longest_transaction:.2f} s | < {SCAN_TARGET_S:.0f} s "
        f"| {verdict(first.longest_transaction, SCAN_TARGET_S)} |",
        scan_row(f"second run, steady state (incremental={second.incremental})", second_s, second),
        scan_row("full pass with no backlog (first scan of a day)", third_s, third),
        f"| subtree list page p95 ({len(everything)} pages, limit 50, total counted up to {COUNT_CAP:,} "
        f"past the offset) | {list_p95:.1f} ms | < {LIST_TARGET_MS:.0f} ms "
        f"| {verdict(list_p95, LIST_TARGET_MS)} |",
        "",
        "The backlog (every alert already due when the engine is first switched on) is raised once, "
        f"{ALERT_CHUNK:,} alerts per committed transaction; the 2 s target is the steady state's.",
        "First-run alerts by kind: "
        + ", ".join(f"{k} {v:,}" for k, v in first.raised.items())
        + f"; markers after the runs: {markers:,}.",
        "",
        "| list pages by level | p95 | max | n |",
        "|---|---|---|---|",
        *(f"| {lvl} | {p95(v):.1f} ms | {max(v):.1f} ms | {len(v)} |" for lvl, v in latencies.items()),
        "",
        "| list pages by query | p95 | max | n |",
        "|---|---|---|---|",
        *(f"| {combo} | {p95(v):.1f} ms | {max(v):.1f} ms | {len(v)} |" for combo, v in combos.items()),
        "",
        f"Pages whose total was an estimate (more than {COUNT_CAP:,} past the offset): {estimates}.",
        "",
    ]
    print("\n".join(lines))
    if not args.no_write:
        replace_section(ROOT / "bench/RESULTS.md", "\n".join(lines))


def replace_section(path: Path, section: str) -> None:
    """Replace this benchmark's section of RESULTS.md (up to the next ``## `` heading), keep the rest."""
    text_ = path.read_text(encoding="utf-8") if path.exists() else ""
    heading = "## Tasking at scale"
    start = text_.find(heading)
    if start < 0:
        text_ = text_.rstrip("\n") + "\n\n" + section
    else:
        end = text_.find("\n## ", start + len(heading))
        text_ = text_[:start] + section + ("\n" + text_[end + 1 :] if end >= 0 else "")
    path.write_text(text_, encoding="utf-8")


if __name__ == "__main__":
    asyncio.run(main())
