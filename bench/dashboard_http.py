"""The dashboard over HTTP through the gateway, two gateways side by side on one database (issue 10 §3).

    ./dev python -m bench.dashboard_http [--tasks 1000000] [--rounds 20] [--before /work/main] [--profile DIR]

Loads a gateway database alone (the dashboard reads nothing else): Guizhou's real tree (seeded as
``luoshi seed`` does), per-organisation summaries of ``--tasks`` tasks spread over every unit and folded up
each unit's chain as ``views/summaries.py`` keeps them, and a published standing for most units. Then starts
``luoshi serve gateway`` twice on it — this checkout's code and the ``--before`` checkout's (its own venv) —
and calls ``GET /api/v1/dashboard`` of sampled organisations by tier, alternating between the two gateways
call by call, so both see the same machine state. Reports p50/p95 and each gateway's CPU per call (from
/proc: the client is not counted), and checks both answer the same body. ``--profile DIR`` also records
this checkout's gateway with py-spy during the run. Prints only; RESULTS.md is the lead's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from functools import partial
from pathlib import Path

import asyncpg
import httpx

import luoshi_gateway.main  # noqa: F401  (registers every table on the gateway's Base)
from bench import processes as proc
from bench import scale_load as data
from bench.common import JWT, ROOT, load_orgs, machine, p95, recreate_database, server_url, service_env
from luoshi_gateway.auth.tokens import issue_access_token
from luoshi_gateway.db import TABLES
from luoshi_gateway.people.models import Person
from luoshi_gateway.views import summaries
from luoshi_gateway.views.scoring_models import PublishedStanding
from luoshi_kit.db import make_engine, make_sessionmaker, table_of, utcnow
from luoshi_kit.identity import Identity
from luoshi_kit.migrations import upgrade
from tests.e2e.cluster import wait_until

DB = VHOST = "luoshi_bench_dash"
PORTS = {"after": 18430, "before": 18431}
SAMPLES = {"province": 1, "city": 3, "county": 4, "township": 5}
STATES = ["assigned", "accepted", "accepted", "returned", "completed", "closed", "closed", "archived"]


def _dsn() -> str:
    return f"{server_url()}/{DB}".replace("postgresql+asyncpg", "postgresql")


async def load(tasks: int, orgs: list[dict[str, str]], rng: random.Random) -> int:
    """Summaries as if ``tasks`` tasks were spread over every unit (grouped as ``summaries.recount``
    groups them), standings for 80 % of the units; returns the number of summary rows."""
    units = [o["code"] for o in orgs if o["level"] != "province"] + data.departments(orgs)
    total: Counter[tuple[str, str]] = Counter()
    per_unit = max(1, tasks // len(units))
    for unit in units:
        groups: Counter[tuple[str, bool, bool, bool]] = Counter()
        for _ in range(40):  # 40 kinds of task per unit, each some share of the unit's tasks
            state = rng.choice(STATES)
            groups[(state, rng.random() < 0.1, rng.random() < 0.15, rng.random() < 0.8)] += 1
        for (state, overdue, lagging, on_time), n in groups.items():
            figures = summaries._figures(state, overdue, lagging, on_time)
            for scope in summaries.summary_scopes(unit):
                for metric, value in figures.items():
                    total[(scope, metric)] += value * n * per_unit // 40
    engine = make_engine(f"{server_url()}/{DB}")
    maker = make_sessionmaker(engine, TABLES)
    async with maker() as session, session.begin():
        await summaries.apply(session=session, changes={k: v for k, v in total.items() if v})
    await engine.dispose()
    conn = await asyncpg.connect(_dsn())
    try:
        standings = [
            {"org_code": code, "ranking_id": f"r-{code[:4]}", "scope_org": code[:4].ljust(12, "0")}
            | {"tier": "county", "period": "2026Q3", "points": round(rng.uniform(60, 100), 2)}
            | {"rank": rng.randint(1, 30), "published_at": utcnow()}
            for code in units
            if rng.random() < 0.8
        ]
        await data.copy_rows(conn, table_of(PublishedStanding), standings)
        await conn.execute("DELETE FROM outbox")  # the seeded tree's events: relayed long ago
    finally:
        await conn.close()
    return len(total)


async def add_people(codes: list[str]) -> None:
    conn = await asyncpg.connect(_dsn())
    try:
        people = [
            {"id": f"bench-{code}", "username": f"bench-{code}", "display_name": "压测", "org_code": code}
            | {"roles": ["office"], "active": True}
            for code in codes
        ]
        await data.copy_rows(conn, table_of(Person), people)
    finally:
        await conn.close()


def start(checkout: Path, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    python = checkout / ".venv/bin/python"
    command = [str(python), "-m", "luoshi_cli.main", "serve", "gateway", "--port", str(port)]
    return subprocess.Popen(  # nosec B603
        command, cwd=checkout, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb")
    )


def token(code: str) -> str:
    who = Identity(
        person_id=f"bench-{code}", username=code, display_name="压测", org_code=code, roles=["office"]
    )
    return issue_access_token(who, JWT, 120)


def run(pids: dict[str, int], samples: dict[str, list[str]], rounds: int) -> None:
    clients = {
        name: httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) for name, port in PORTS.items()
    }
    headers = {
        code: {"Authorization": f"Bearer {token(code)}"} for codes in samples.values() for code in codes
    }
    print("| tier | n | gateway | p50 ms | p95 ms | CPU ms per call | children |")
    print("|---|---|---|---|---|---|---|")
    for level, codes in samples.items():
        latencies: dict[str, list[float]] = {name: [] for name in PORTS}
        cpu: dict[str, float] = dict.fromkeys(PORTS, 0.0)
        children = 0
        for code in codes:
            bodies = {}
            for name, client in clients.items():  # warm: compile SQL, fill the auth cache
                for _ in range(3):
                    bodies[name] = client.get(
                        "/api/v1/dashboard", params={"org": code}, headers=headers[code]
                    )
            assert bodies["after"].status_code == 200, bodies["after"].text[:300]
            assert bodies["after"].content == bodies["before"].content, f"bodies differ for {code}"
            children = max(children, len(bodies["after"].json()["children"]))
            for i in range(rounds):
                order = list(PORTS) if i % 2 == 0 else list(reversed(PORTS))
                for name in order:
                    before = proc.cpu_seconds(pids[name])
                    started = time.perf_counter()
                    response = clients[name].get(
                        "/api/v1/dashboard", params={"org": code}, headers=headers[code]
                    )
                    latencies[name].append((time.perf_counter() - started) * 1000)
                    cpu[name] += proc.cpu_seconds(pids[name]) - before
                    assert response.status_code == 200
        for name in PORTS:
            values = latencies[name]
            print(
                f"| {level} | {len(values)} | {name} | {statistics.median(values):.1f} | {p95(values):.1f} "
                f"| {cpu[name] * 1000 / len(values):.2f} | {children} |"
            )
    for c in clients.values():
        c.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--before", type=Path, default=Path("/work/main"))
    parser.add_argument("--profile", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="reuse the loaded database")
    args = parser.parse_args()
    orgs, rng = load_orgs(), random.Random(7)
    samples = {
        lvl: rng.sample([o["code"] for o in orgs if o["level"] == lvl], n) for lvl, n in SAMPLES.items()
    }
    server = server_url()
    if not args.keep:
        await recreate_database(server, DB)
        await asyncio.to_thread(upgrade, "luoshi_gateway", f"{server}/{DB}")
        from luoshi_cli.seeding import seed

        await seed(f"{server}/{DB}", demo=False, data_dir=Path(tempfile.mkdtemp(prefix="luoshi-dash-")))
        rows = await load(args.tasks, orgs, rng)
        await add_people([c for codes in samples.values() for c in codes])
        print(f"loaded {rows:,} summary rows for {args.tasks:,} tasks", flush=True)
    await asyncio.to_thread(proc.vhost, VHOST, True)
    env = service_env(vhost=VHOST, database_url=f"{server}/{DB}", log_level="WARNING")
    env.pop("VIRTUAL_ENV", None)
    logs = Path(tempfile.mkdtemp(prefix="luoshi-dash-logs-"))
    checkouts = {"after": ROOT, "before": args.before}
    processes = {name: start(checkouts[name], PORTS[name], env, logs / f"{name}.log") for name in PORTS}
    spy = None
    try:
        for name, port in PORTS.items():
            wait_until(partial(proc.ready_check, port, "ok"), 180, f"{name} to be up", interval=0.5)
        pids = {name: p.pid for name, p in processes.items()}
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
            spy = proc.py_spy(pids["after"], args.profile / "after.txt", "--rate", "500", "--nonblocking")
        print(f"{machine()}; load average {os.getloadavg()[0]:.1f}", flush=True)
        run(pids, samples, args.rounds)
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
            spy.wait(timeout=30)
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(timeout=30)
        await asyncio.to_thread(proc.vhost, VHOST, False)
    print(f"logs in {logs}")


if __name__ == "__main__":
    asyncio.run(main())
