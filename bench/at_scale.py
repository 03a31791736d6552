"""Issue 10 §5 in one run: 1,000,000 tasks with a realistic history, tasking and the gateway as real
processes, measured over HTTP — list pages and dashboards by tier, the timeline of a busy task, the deadline
scan — and each process's memory after the run.

    ./dev python -m bench.at_scale [--tasks 1000000] [--busy 600] [--no-write]

Loads, with COPY (``bench/scale_load.py``), into tasking's database the tasks over Guizhou's real tree
(1,608 divisions and 784 departments), their ``task_scope`` rows, the trace (``task_event``: assigned,
signed for, 1–3 reports, closed) and the reports; into the gateway's the task views, the per-organisation
summaries (rebuilt from the views, as ``luoshi rebuild-summaries`` does), the timeline (the same steps as
events, plus urges 催办 on 2 % of the open tasks) and one busy task with ``--busy`` timeline entries.
The backlog of deadline alerts (every alert already due when the engine is first switched on) is raised
once, by the job's own function in this process, before the services start — a live system has raised
those long ago; its figure is reported, its events are not relayed. Then ``luoshi serve tasking`` and
``luoshi serve gateway`` start on those databases and a RabbitMQ vhost of their own, tasking's scan every
10 s: its first run in the process is the day's full pass, the second the steady state (both from its
log). Every HTTP call goes through the gateway, one at a time; CPU per request is read per process from
/proc (the client is not counted), RSS after the run from /proc/<pid>/status.
PostgreSQL: ``LUOSHI_BENCH_POSTGRES_URL`` (no database name); RabbitMQ: ``LUOSHI_BENCH_AMQP_URL``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import text

import luoshi_gateway.main  # noqa: F401  (registers every table on the gateway's Base)
import luoshi_tasking.main  # noqa: F401  (and on tasking's)
from bench import processes as proc
from bench import scale_load as data
from bench.common import (
    JWT,
    RESULTS,
    load_average,
    load_orgs,
    machine,
    p95,
    recreate_database,
    replace_section,
    server_url,
    service_env,
)
from bench.processes import Group, measure
from luoshi_gateway.auth.tokens import issue_access_token
from luoshi_gateway.db import TABLES as GATEWAY_TABLES
from luoshi_gateway.people.models import Person
from luoshi_gateway.views import summaries
from luoshi_kit.db import make_engine, make_sessionmaker, table_of
from luoshi_kit.identity import Identity
from luoshi_kit.migrations import upgrade
from luoshi_kit.timebase import business_today
from luoshi_tasking.db import TABLES as TASKING_TABLES
from luoshi_tasking.deadlines.jobs import run_scan_once
from luoshi_tasking.tasks.models import Task
from tests.e2e.cluster import wait_until

PREFIX = VHOST = "luoshi_bench_scale"
PORTS = {"tasking": 18421, "gateway": 18420}
HEADING = "## At scale over HTTP (issue 10 §5), `bench/at_scale.py`"
CHUNK = 100_000
BUSY_LEAD, BUSY_ISSUER = "520102000000", "520100000000"  # 南明区, tasked by 贵阳市
LIST_SAMPLES = {"province": 1, "city": 3, "county": 4, "township": 5, "department": 4}
OPEN_STATES = ["assigned", "accepted", "returned"]


def _dsn(service: str) -> str:
    return f"{server_url()}/{PREFIX}_{service}".replace("postgresql+asyncpg://", "postgresql://")


@dataclass
class Loaded:
    tasks: int = 0
    open: int = 0
    trace: int = 0
    reports: int = 0
    timeline: int = 0
    urged: int = 0
    busy_id: str = ""
    typical_id: str = ""  # an open task with an ordinary history
    seconds: dict[str, float] = field(default_factory=dict)


def _busy(task: dict[str, Any], today: Any) -> None:
    """Make ``task`` the busy one: open, led by 南明区, signed for long ago, reported on every few days."""
    task.update(
        lead_unit=BUSY_LEAD,
        issuing_org=BUSY_ISSUER,
        co_units=["520103000000"],
        state="accepted",
        deadline=today + timedelta(days=200),
        created_at=datetime.combine(today - timedelta(days=500), datetime.min.time(), UTC),
        last_report_at=datetime.combine(today, datetime.min.time(), UTC),
        progress_percent=70,
    )


async def load(args: argparse.Namespace, orgs: list[dict[str, str]], today: Any) -> Loaded:
    """Tasks from Python (COPY); their history, views and timeline made and streamed by PostgreSQL."""
    rng = random.Random(20261201)
    facts = Loaded()
    tasking, gateway = await asyncpg.connect(_dsn("tasking")), await asyncpg.connect(_dsn("gateway"))
    started = time.perf_counter()
    try:
        async with (
            data.indexes_deferred(tasking, ["task", "task_scope", "task_event", "progress_report"]),
            data.indexes_deferred(gateway, ["task_view", "timeline_entry"]),
        ):
            sizes = [min(CHUNK, args.tasks - offset) for offset in range(0, args.tasks, CHUNK)]

            def make(size: int) -> asyncio.Task[list[dict[str, Any]]]:
                # The next chunk is generated in a thread while this one's COPY waits on PostgreSQL.
                return asyncio.ensure_future(asyncio.to_thread(data.generate, size, orgs, today, rng))

            pending = make(sizes[0])
            for offset, _ in enumerate(sizes):
                rows = await pending
                if offset + 1 < len(sizes):
                    pending = make(sizes[offset + 1])
                if offset == 0:
                    _busy(rows[0], today)
                    facts.busy_id = rows[0]["id"]
                facts.open += sum(1 for r in rows if r["state"] in OPEN_STATES)
                await data.copy_tasks(tasking, table_of(Task), rows)
                facts.tasks += len(rows)
                print(f"  COPY {facts.tasks:,} tasks ({time.perf_counter() - started:.0f} s)", flush=True)
            facts.seconds["tasks (COPY)"] = time.perf_counter() - started
            started = time.perf_counter()
            reports, urges = int(args.busy * 0.8), args.busy - int(args.busy * 0.8)
            busy = (facts.busy_id, urges)
            # The views and urges read only the tasks: streamed on a second connection while the trace is made
            side = await asyncpg.connect(_dsn("tasking"))
            try:
                await asyncio.gather(
                    _trace(tasking, facts.busy_id, reports),
                    data.stream(side, data.VIEWS, (today,), gateway, "task_view", data.VIEW_COLUMNS),
                )
                await data.stream(side, data.URGES, busy, gateway, "timeline_entry", data.TIMELINE_COLUMNS)
            finally:
                await side.close()
            await data.stream(tasking, data.TIMELINE, (), gateway, "timeline_entry", data.TIMELINE_COLUMNS)
            facts.seconds["history (SQL) and views, timeline (streamed)"] = time.perf_counter() - started
            started = time.perf_counter()
        facts.seconds["indexes built"] = time.perf_counter() - started
        started = time.perf_counter()
        # What autovacuum does on a live database: statistics, and the visibility map index-only scans need.
        await asyncio.gather(tasking.execute("VACUUM (ANALYZE)"), gateway.execute("VACUUM (ANALYZE)"))
        facts.seconds["VACUUM ANALYZE"] = time.perf_counter() - started
        facts.trace = await tasking.fetchval("SELECT count(*) FROM task_event")
        facts.reports = await tasking.fetchval("SELECT count(*) FROM progress_report")
        facts.timeline = await gateway.fetchval("SELECT count(*) FROM timeline_entry")
        facts.urged = await gateway.fetchval(
            "SELECT count(DISTINCT task_id) FROM timeline_entry WHERE source = 'supervision'"
        )
        facts.typical_id = await gateway.fetchval(
            "SELECT e.task_id FROM timeline_entry e JOIN task_view v ON v.task_id = e.task_id "
            "WHERE e.task_id <> $1 AND v.state = 'accepted' GROUP BY e.task_id HAVING count(*) = 4 LIMIT 1",
            facts.busy_id,
        )
    finally:
        await tasking.close()
        await gateway.close()
    return facts


async def _trace(conn: asyncpg.Connection, busy_id: str, reports: int) -> None:
    for statement in data.TRACE:
        await conn.execute(statement, *((busy_id, reports) if "$2" in statement else ()))


async def prepare_gateway(samples: dict[str, list[str]]) -> tuple[float, int]:
    """The summaries rebuilt from the views, and a bench account in every sampled organisation."""
    url = f"{server_url()}/{PREFIX}_gateway"
    engine = make_engine(url)
    maker = make_sessionmaker(engine, GATEWAY_TABLES)
    started = time.perf_counter()
    async with maker() as session, session.begin():
        rows = await summaries.rebuild(session=session)
    seconds = time.perf_counter() - started
    conn = await asyncpg.connect(_dsn("gateway"))
    try:
        people = [
            {"id": f"bench-{code}", "username": f"bench-{code}", "display_name": "压测", "org_code": code}
            | {"roles": ["office"], "active": True}
            for code in {c for codes in samples.values() for c in codes}
        ]
        await data.copy_rows(conn, table_of(Person), people)
    finally:
        await conn.close()
    await engine.dispose()
    return seconds, rows


async def backlog_scan() -> tuple[float, Any]:
    """The first scan ever, raising the backlog (as tasking's job does, chunked); then its events count as
    relayed long ago, the day's scan state is forgotten (the process's first run is a full pass), and the
    scan runs every 10 s."""
    engine = make_engine(f"{server_url()}/{PREFIX}_tasking")
    maker = make_sessionmaker(engine, TASKING_TABLES)
    started = time.perf_counter()
    result, _ = await run_scan_once(maker)
    seconds = time.perf_counter() - started
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM outbox"))
        await conn.execute(text("DELETE FROM deadline_scan_state"))
        await conn.execute(
            text(
                "INSERT INTO deadline_rule (key, value, updated_at) "
                "VALUES ('scan_interval_seconds', 10, now())"
            )
        )
    await engine.dispose()
    return seconds, result


def samples_of(orgs: list[dict[str, str]], rng: random.Random) -> dict[str, list[str]]:
    levels = {
        lvl: [o["code"] for o in orgs if o["level"] == lvl] for lvl in LIST_SAMPLES if lvl != "department"
    }
    levels["department"] = data.departments(orgs)
    return {lvl: rng.sample(levels[lvl], n) for lvl, n in LIST_SAMPLES.items()}


def run_http(pids: dict[str, int], samples: dict[str, list[str]], facts: Loaded, rounds: int) -> list[Group]:
    def client(code: str) -> httpx.Client:
        who = Identity(
            person_id=f"bench-{code}", username=code, display_name="压测", org_code=code, roles=["office"]
        )
        token = issue_access_token(who, JWT, 60)
        return httpx.Client(
            base_url=f"http://127.0.0.1:{PORTS['gateway']}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )

    clients = {code: client(code) for codes in samples.values() for code in codes}
    province = clients[samples["province"][0]]

    def list_calls(code: str) -> list[partial[httpx.Response]]:
        calls = []
        for state in (None, OPEN_STATES):
            for sort in ("deadline", "-created_at"):
                for offset in (0, 500):
                    params: dict[str, Any] = {"limit": 50, "offset": offset, "sort": sort}
                    if state:
                        params["state"] = state
                    calls.append(partial(clients[code].get, "/api/v1/tasks", params=params))
        return calls

    # Each of the eight queries is a statement shape of its own, built and prepared at its first use:
    # once, for a township, before any tier is measured (the province, measured first, paid for them all).
    for call in list_calls(samples["township"][0]):
        call()
    groups = []
    for level, codes in samples.items():
        calls = [call for code in codes for call in list_calls(code)]
        groups.append(measure(f"list page, {level} ({len(codes)} orgs × 8 queries)", pids, calls))
    for level, codes in samples.items():
        if level == "department":
            continue  # a department has no dashboard of its own (it is not in the organisation tree)
        calls = [
            partial(clients[code].get, "/api/v1/dashboard", params={"org": code})
            for code in codes
            for _ in range(rounds)
        ]
        groups.append(measure(f"dashboard, {level} ({len(codes)} orgs × {rounds})", pids, calls))
    for label, task_id in (("busy task", facts.busy_id), ("typical open task", facts.typical_id)):
        path = f"/api/v1/tasks/{task_id}/timeline"
        calls = [partial(province.get, path) for _ in range(rounds * 3)]
        groups.append(measure(f"timeline, {label}", pids, calls))
    for c in clients.values():
        c.close()
    return groups


def section(args: argparse.Namespace, facts: Loaded, figures: dict[str, Any], groups: list[Group]) -> str:
    backlog, scans, memory = figures["backlog"], figures["scans"], figures["memory"]
    lines = [
        HEADING,
        "",
        f"`./dev python -m bench.at_scale --tasks {args.tasks} --busy {args.busy}` — {machine()}; "
        f"load average at the end {load_average()}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"business date {business_today()}.",
        f"Loaded {facts.tasks:,} tasks ({facts.open:,} open) with {facts.trace:,} trace rows, "
        f"{facts.reports:,} reports, {facts.timeline:,} timeline entries ({facts.urged:,} tasks urged); "
        + ", ".join(f"{what} {seconds:.0f} s" for what, seconds in facts.seconds.items())
        + f", summaries rebuilt in {figures['rebuild'][0]:.1f} s ({figures['rebuild'][1]:,} rows). "
        "Every call through the gateway, one at a time; CPU in ms per request by process (PostgreSQL's "
        "not included).",
        "",
        "| measure | n | p50 ms | p95 ms | gateway CPU ms | tasking CPU ms |",
        "|---|---|---|---|---|---|",
    ]
    for g in groups:
        lines.append(
            f"| {g.label} | {len(g.latencies)} | {statistics.median(g.latencies):.1f} "
            f"| {p95(g.latencies):.1f} "
            f"| {g.cpu_ms['gateway']:.2f} | {g.cpu_ms['tasking']:.2f} |"
        )
    seconds, result = backlog
    lines += [
        "",
        "| deadline scan | figure |",
        "|---|---|",
        "| backlog, raised once (the job's function, before start): "
        f"{sum(result.raised.values()):,} alerts of "
        f"{result.candidates:,} candidates in {result.transactions} transactions | {seconds:.1f} s "
        f"(longest transaction {result.longest_transaction:.2f} s) |",
        *(
            f"| in the tasking process, run {i + 1}: {line.removeprefix('deadline scan: ')} | – |"
            for i, line in enumerate(scans)
        ),
        "",
        "Memory after the run: "
        + ", ".join(f"{name} RSS {rss:.0f} MiB (peak {peak:.0f} MiB)" for name, (rss, peak) in memory.items())
        + ".",
        "",
    ]
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--busy", type=int, default=600, help="timeline entries of the busy task")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    began = time.perf_counter()
    orgs, today = load_orgs(), business_today()
    server = server_url()
    for service in ("gateway", "tasking"):
        await recreate_database(server, f"{PREFIX}_{service}")
        await asyncio.to_thread(upgrade, f"luoshi_{service}", f"{server}/{PREFIX}_{service}")
    await asyncio.to_thread(proc.vhost, VHOST, True)
    from luoshi_cli.seeding import seed

    await seed(
        f"{server}/{PREFIX}_gateway", demo=False, data_dir=Path(tempfile.mkdtemp(prefix="luoshi-scale-"))
    )
    facts = await load(args, orgs, today)
    samples = samples_of(orgs, random.Random(7))
    figures: dict[str, Any] = {"rebuild": await prepare_gateway(samples), "backlog": await backlog_scan()}
    print(f"loaded and prepared in {time.perf_counter() - began:.0f} s; starting the services", flush=True)
    env = service_env(
        vhost=VHOST,
        database_url=f"{server}/{PREFIX}_{{service}}",
        log_level="INFO",
        LUOSHI_TASKING_URL=f"http://127.0.0.1:{PORTS['tasking']}",
    )
    logs = Path(tempfile.mkdtemp(prefix="luoshi-scale-logs-"))
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, port in PORTS.items():  # tasking first: its consumer up before the gateway relays the tree
            processes[name] = proc.start(name, port, env, logs / f"{name}.log")
            what = "broker" if name == "tasking" else "ok"
            wait_until(partial(proc.ready_check, port, what), 180, f"{name} to be up", interval=0.5)
        wait_until(
            partial(proc.ready_check, PORTS["tasking"], "ok"), 180, "tasking to be ready", interval=0.5
        )
        pids = {name: p.pid for name, p in processes.items()}
        # The first run comes 30 s after start, the next 10 s later (scan_interval_seconds).
        figures["scans"] = wait_until(
            partial(_two_scans, logs / "tasking.log"),
            240,
            "two deadline scans in tasking's log",
            interval=1,
        )
        wait_until(partial(proc.drained, VHOST, list(PORTS)), 300, "the queues to drain", interval=0.5)
        groups = run_http(pids, samples, facts, args.rounds)
        figures["memory"] = {name: proc.memory_mib(pid) for name, pid in pids.items()}
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(timeout=30)
        await asyncio.to_thread(proc.vhost, VHOST, False)
    report = section(args, facts, figures, groups)
    print(report)
    print(f"whole run {time.perf_counter() - began:.0f} s; logs in {logs}")
    if not args.no_write:
        replace_section(RESULTS, HEADING, report)


def _two_scans(log: Path) -> list[str] | None:
    found = proc.log_messages(log, "deadline scan:")
    return found[:2] if len(found) >= 2 else None


if __name__ == "__main__":
    asyncio.run(main())
