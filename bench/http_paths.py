"""Issue 10's HTTP figures, side by side in one run: the anchor, tasking direct, and through the gateway.

    apt-get install wrk   # the load generator (Debian package)
    uv run python bench/http_paths.py [--seconds 8] [--connections 16] [--rounds 3]

Starts the anchor (``bench/anchor_app.py``: one task row + one outbox row per write, the least a
correct outbox write costs), tasking and the gateway as separate processes on PostgreSQL and a RabbitMQ
vhost of their own, then drives ``POST /tasks`` and ``GET /tasks?limit=20`` at each with wrk, alternating
targets round by round so all see the same machine. For each it prints requests/s, p99 and the CPU each
process spent per request (from /proc/<pid>/stat, so the load generator is not counted), plus
PostgreSQL's. After each write round it waits until the gateway's view consumer has taken in every
task (the wait is in the CPU figures, not in requests/s), so a round's events are not billed to the
next; the gateway's CPU in a direct write round is then its consumer's cost per event.
Floors (issue 10): tasking write ≥ 0.6 of the anchor's rps and ≤ 2× its CPU per request;
through the gateway ≥ 0.9 of direct with the gateway's own CPU per proxied request ≤ 1 ms; a task list
page ≥ 0.5 of the anchor's rps.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from luoshi_gateway.auth.tokens import issue_access_token
from luoshi_kit.identity import IDENTITY_HEADER, Identity, sign_identity
from luoshi_kit.migrations import upgrade
from luoshi_kit.settings import KitSettings

# Run as a script (``python bench/http_paths.py``): bench.processes is imported from the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import processes as proc

PG = os.environ.get("LUOSHI_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432")
AMQP = os.environ.get("LUOSHI_BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672")
# Overridable so two runs (e.g. two worktrees) can share the machine without sharing databases or ports.
PREFIX = os.environ.get("LUOSHI_BENCH_HTTP_PREFIX", "luoshi_bench_http")
# A vhost of this run's own: one re-created under the last run's name right after that run deleted it could
# still be dropping its quorum queues, and tasking then never took in the seeded tree (not ready).
VHOST = f"{PREFIX}_{os.getpid()}"
PORT_BASE = int(os.environ.get("LUOSHI_BENCH_HTTP_PORT", "18100"))
SECRET, JWT = "bench-internal-secret-0123456789abcdef", "bench-jwt-secret-0123456789abcdef"
CLERK = Identity(
    person_id="u-province_office",
    username="province_office",
    display_name="省督查室",
    org_code="520000000000",
    roles=["office"],
)
PORTS = {"anchor": PORT_BASE + 90, "tasking": PORT_BASE + 1, "gateway": PORT_BASE}
WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
WRITE_BODY = json.dumps({"title": "压测任务", "lead_unit": "520102000000", "deadline": "2099-12-31"})


@dataclass
class Run:
    rps: float
    p99_ms: float
    errors: int
    cpu_ms: dict[str, float]  # CPU per request, by process


def _wrk(
    url: str,
    headers: dict[str, str],
    body: str,
    seconds: float,
    connections: int,
    pids: dict[str, int],
    profile: tuple[int, Path] | None = None,
    drain: bool = False,
) -> Run:
    env = {
        **os.environ,
        "BENCH_BODY": body,
        "BENCH_HEADERS": "\n".join(f"{k}: {v}" for k, v in headers.items()),
    }
    watched = {name: [pid] for name, pid in pids.items()} | {"postgres": proc.pids_named("postgres")}
    before = {name: proc.cpu_of(p) for name, p in watched.items()}
    # Only PostgreSQL processes alive before and after count (one that ended took its CPU figures with it).
    backends = {pid: proc.cpu_of([pid]) for pid in watched["postgres"]}
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds:.0f}s", "-s", str(WRK_SCRIPT), url]
    # py-spy samples the serving process; collapsed stacks for flame graphs
    spy = proc.py_spy(*profile, "-d", f"{seconds:.0f}") if profile is not None else None
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout  # nosec B603
    if spy is not None:
        spy.wait(timeout=60)
    if drain:  # the gateway's view consumer finishes this round's events inside this round's figures
        asyncio.run(_drained())
    after = {name: proc.cpu_of(p) for name, p in watched.items()}
    alive = [pid for pid in backends if Path(f"/proc/{pid}").exists()]
    before["postgres"], after["postgres"] = sum(backends[p] for p in alive), proc.cpu_of(alive)
    requests, duration_us, p99_us, errors = (int(v) for v in out.split("RESULT ", 1)[1].split())
    per = max(requests, 1)
    return Run(
        rps=requests / (duration_us / 1e6),
        p99_ms=p99_us / 1000,
        errors=errors,
        cpu_ms={name: (after[name] - before[name]) * 1000 / per for name in watched},
    )


async def _count(database: str, table: str) -> int:
    engine = create_async_engine(f"{PG}/{PREFIX}_{database}", poolclass=pool.NullPool)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())  # nosec B608 (our table names)
    finally:
        await engine.dispose()


async def _drained() -> None:
    """Until the gateway has a task view of every task tasking holds (each write's event consumed)."""
    async with asyncio.timeout(180):
        while True:
            if await _count("gateway", "task_view") >= await _count("tasking", "task"):
                return
            await asyncio.sleep(0.1)


async def _reset_databases() -> None:
    engine = create_async_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
    async with engine.connect() as conn:
        for name in ("gateway", "tasking", "anchor"):
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{PREFIX}_{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{PREFIX}_anchor"'))
    await engine.dispose()


def _start(name: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    port = str(PORTS[name])
    if name == "anchor":
        command = [sys.executable, "-m", "uvicorn", "bench.anchor_app:app", "--port", port, "--no-access-log"]
    else:
        command = [sys.executable, "-m", "luoshi_cli.main", "serve", name, "--port", port]
    log = LOG_DIR / f"{name}.log"  # kept for a service that does not become ready (printed then)
    with log.open("wb") as sink:
        return subprocess.Popen(
            command, env={**os.environ, **env, "PYTHONUNBUFFERED": "1"}, stdout=sink, stderr=subprocess.STDOUT
        )


def _log_tail(name: str, lines: int = 20) -> str:
    try:
        return "\n".join((LOG_DIR / f"{name}.log").read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


async def _wait_ready(url: str) -> None:
    last = "no answer"
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(url) as response:
                    if response.status < 500:
                        return
                    last = f"{response.status} {await response.text()}"
            except aiohttp.ClientError as exc:
                last = repr(exc)
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} not ready: {last}")


def _median(runs: list[Run]) -> Run:
    names = runs[0].cpu_ms
    return Run(
        rps=statistics.median(r.rps for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
        errors=sum(r.errors for r in runs),
        cpu_ms={n: statistics.median(r.cpu_ms[n] for r in runs) for n in names},
    )


SERVER_OF = {"anchor": "anchor", "direct": "tasking", "gateway": "gateway"}
LOG_DIR = Path(tempfile.mkdtemp(prefix="luoshi-bench-http-logs-"))


async def main(seconds: float, connections: int, rounds: int, profile_dir: Path | None) -> None:
    await _reset_databases()
    proc.vhost(VHOST, create=True)
    env = {
        "LUOSHI_AMQP_URL": f"{AMQP}/{VHOST}",
        "LUOSHI_DATABASE_URL": f"{PG}/{PREFIX}_{{service}}",
        "LUOSHI_INTERNAL_SECRET": SECRET,
        "LUOSHI_JWT_SECRET": JWT,
        "LUOSHI_LOG_LEVEL": "WARNING",
        "LUOSHI_TASKING_URL": f"http://127.0.0.1:{PORTS['tasking']}",
        "ANCHOR_DATABASE_URL": f"{PG}/{PREFIX}_anchor",
    }
    os.environ.update(env)
    for service, package in (("gateway", "luoshi_gateway"), ("tasking", "luoshi_tasking")):
        await asyncio.to_thread(upgrade, package, f"{PG}/{PREFIX}_{service}")
    from luoshi_cli.seeding import seed

    await seed(
        f"{PG}/{PREFIX}_gateway", demo=True, data_dir=Path(tempfile.mkdtemp(prefix="luoshi-bench-http-"))
    )
    processes = {name: _start(name, env) for name in PORTS}
    try:
        await _wait_ready(f"http://127.0.0.1:{PORTS['anchor']}/tasks")
        for name in ("tasking", "gateway"):
            try:
                await _wait_ready(f"http://127.0.0.1:{PORTS[name]}/readyz")
            except RuntimeError:
                state = processes[name].poll()
                print(
                    f"{name} did not become ready ({'running' if state is None else f'exited {state}'}); "
                    f"the end of its log:\n{_log_tail(name)}",
                    flush=True,
                )
                raise
        await asyncio.sleep(5)  # let tasking take in the seeded tree
        pids = {name: p.pid for name, p in processes.items()}
        warm = {IDENTITY_HEADER: sign_identity(CLERK, SECRET)}
        for url in (f"http://127.0.0.1:{PORTS['anchor']}", f"http://127.0.0.1:{PORTS['tasking']}/api/v1"):
            for path, body in (("/tasks", WRITE_BODY), ("/tasks?limit=20", "")):  # first calls build caches
                await asyncio.to_thread(_wrk, f"{url}{path}", warm, body, 2, connections, pids, None, True)
        bearer = {"Authorization": f"Bearer {issue_access_token(CLERK, JWT, 60)}"}
        for path, body in (("/tasks", WRITE_BODY), ("/tasks?limit=20", "")):
            through = f"http://127.0.0.1:{PORTS['gateway']}/api/v1{path}"
            await asyncio.to_thread(_wrk, through, bearer, body, 2, connections, pids, None, True)
        print(
            f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; wrk {connections} connections, "
            f"{seconds:.0f}s × {rounds} alternating rounds; CPU in ms per request; gc young threshold: "
            f"services {os.environ.get('LUOSHI_GC_YOUNG_THRESHOLD') or 'default'}, "
            f"anchor {os.environ.get('ANCHOR_GC_YOUNG_THRESHOLD') or 'Python'}"
        )
        print(
            f"{'':<22}{'rps':>7}{'p99 ms':>8}{'errors':>7}  "
            f"{'anchor':>7}{'tasking':>8}{'gateway':>8}{'postgres':>9}"
        )
        for load, path, body in (("write", "/tasks", WRITE_BODY), ("read", "/tasks?limit=20", "")):
            runs: dict[str, list[Run]] = {"anchor": [], "direct": [], "gateway": []}
            for round_number in range(rounds):
                targets = {
                    "anchor": (f"http://127.0.0.1:{PORTS['anchor']}{path}", {}),
                    "direct": (
                        f"http://127.0.0.1:{PORTS['tasking']}/api/v1{path}",
                        {IDENTITY_HEADER: sign_identity(CLERK, SECRET)},  # expires after two minutes
                    ),
                    "gateway": (
                        f"http://127.0.0.1:{PORTS['gateway']}/api/v1{path}",
                        {"Authorization": f"Bearer {issue_access_token(CLERK, JWT, 60)}"},
                    ),
                }
                for target, (url, headers) in targets.items():
                    profile = None
                    if profile_dir is not None and round_number == 0:
                        profile = (pids[SERVER_OF[target]], profile_dir / f"{load}-{target}.txt")
                    drain = load == "write" and target != "anchor"
                    run = await asyncio.to_thread(
                        _wrk, url, headers, body, seconds, connections, pids, profile, drain
                    )
                    runs[target].append(run)
            result = {target: _median(r) for target, r in runs.items()}
            for target, run in result.items():
                cpu = "".join(
                    f"{run.cpu_ms[n]:>{w}.2f}" for n, w in (("anchor", 7), ("tasking", 8), ("gateway", 8))
                )
                print(
                    f"{load + ' ' + target:<22}{run.rps:>7.0f}{run.p99_ms:>8.0f}{run.errors:>7d}  "
                    f"{cpu}{run.cpu_ms['postgres']:>9.2f}"
                )
            anchor, direct, gateway = result["anchor"], result["direct"], result["gateway"]
            cpu_ratio = direct.cpu_ms["tasking"] / anchor.cpu_ms["anchor"]
            # Writes: the gateway's CPU during a direct round is its view consumer (per event, drained);
            # what it spends beyond that when the writes come through it is the proxy's own.
            consumer = direct.cpu_ms["gateway"] if load == "write" else 0.0
            print(
                f"  {load}: direct/anchor rps {direct.rps / anchor.rps:.2f}, CPU {cpu_ratio:.1f}×;"
                f" gateway/direct rps {gateway.rps / direct.rps:.2f},"
                f" gateway CPU {gateway.cpu_ms['gateway']:.2f} ms per request"
                + (
                    f" (its view consumer {consumer:.2f}, proxy {gateway.cpu_ms['gateway'] - consumer:.2f})"
                    if load == "write"
                    else ""
                )
            )
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(timeout=15)
        await _reset_databases()
        await asyncio.to_thread(proc.vhost, VHOST, False)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--profile-dir", type=Path, help="py-spy the first round of each target into this folder"
    )
    parser.add_argument(
        "--anchor-gc",
        action="store_true",
        help="the anchor with the services' garbage-collector setting (LUOSHI_GC_YOUNG_THRESHOLD)",
    )
    args = parser.parse_args()
    if args.anchor_gc:
        default = KitSettings.model_fields["gc_young_threshold"].default
        os.environ["ANCHOR_GC_YOUNG_THRESHOLD"] = os.environ.get("LUOSHI_GC_YOUNG_THRESHOLD", str(default))
    asyncio.run(main(args.seconds, args.connections, args.rounds, args.profile_dir))
