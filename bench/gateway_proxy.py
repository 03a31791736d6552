"""Requests per second through the gateway vs straight to the service, same load, same run.

    uv run python bench/gateway_proxy.py [--seconds 10] [--concurrency 32]

Starts tasking and the gateway as separate processes (``luoshi serve``) on PostgreSQL and a RabbitMQ
vhost of their own, then drives the same requests at tasking directly (with the signed identity the
gateway would add) and through the gateway (with a user's bearer token), alternating rounds so both
see the same machine. Target (issue 3): gateway ÷ direct ≥ 0.8.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from luoshi_gateway.auth.tokens import issue_access_token
from luoshi_kit.identity import IDENTITY_HEADER, Identity, sign_identity
from luoshi_kit.migrations import upgrade

PG = os.environ.get("LUOSHI_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432")
AMQP = os.environ.get("LUOSHI_BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672")
VHOST = "luoshi_bench_proxy"
SECRET, JWT = "bench-internal-secret-0123456789abcdef", "bench-jwt-secret-0123456789abcdef"
CLERK = Identity(
    person_id="u-province_office",
    username="province_office",
    display_name="省督查室",
    org_code="520000000000",
    roles=["office"],
)


async def _reset_databases(prefix: str) -> None:
    engine = create_async_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
    async with engine.connect() as conn:
        for service in ("gateway", "tasking"):
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{prefix}_{service}" WITH (FORCE)'))
    await engine.dispose()


def _vhost() -> None:
    subprocess.run(["rabbitmqctl", "delete_vhost", VHOST], capture_output=True)
    subprocess.run(["rabbitmqctl", "add_vhost", VHOST], check=True, capture_output=True)
    subprocess.run(
        ["rabbitmqctl", "set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*"],
        check=True,
        capture_output=True,
    )


async def _load(
    url: str,
    make: Callable[[int], tuple[str, dict[str, str], dict[str, object] | None]],
    seconds: float,
    concurrency: int,
) -> tuple[float, float, int]:
    """Closed-loop load for ``seconds``; returns (requests/s, p99 ms, errors)."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(url, connector=connector) as http:

        async def worker(n: int) -> None:
            nonlocal errors
            i = 0
            while time.perf_counter() < deadline:
                path, headers, body = make(n * 1_000_000 + i)
                i += 1
                start = time.perf_counter()
                method = http.post if body is not None else http.get
                async with method(path, headers=headers, json=body) as response:
                    await response.read()
                    if response.status >= 400:
                        errors += 1
                latencies.append(time.perf_counter() - start)

        started = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)] * 1000 if latencies else float("nan")
    return len(latencies) / elapsed, p99, errors


def _serve(service: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "luoshi_cli.main", "serve", service, "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _wait_ready(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(f"{url}/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} not ready")


async def main(seconds: float, concurrency: int, rounds: int) -> None:
    prefix = "luoshi_bench_proxy"
    await _reset_databases(prefix)
    _vhost()
    env = {
        "LUOSHI_AMQP_URL": f"{AMQP}/{VHOST}",
        "LUOSHI_DATABASE_URL": f"{PG}/{prefix}_{{service}}",
        "LUOSHI_INTERNAL_SECRET": SECRET,
        "LUOSHI_JWT_SECRET": JWT,
        "LUOSHI_LOG_LEVEL": "WARNING",
        "LUOSHI_TASKING_URL": "http://127.0.0.1:18101",
    }
    os.environ.update(env)
    for service, package in (("gateway", "luoshi_gateway"), ("tasking", "luoshi_tasking")):
        await asyncio.to_thread(upgrade, package, f"{PG}/{prefix}_{service}")
    from luoshi_cli.seeding import seed

    await seed(
        f"{PG}/{prefix}_gateway", demo=True, data_dir=Path(tempfile.mkdtemp(prefix="luoshi-bench-proxy-"))
    )
    processes = [_serve("tasking", 18101, env), _serve("gateway", 18100, env)]
    try:
        await _wait_ready("http://127.0.0.1:18101")
        await _wait_ready("http://127.0.0.1:18100")
        await asyncio.sleep(5)  # let tasking take in the seeded tree
        direct = {IDENTITY_HEADER: sign_identity(CLERK, SECRET)}
        bearer = {"Authorization": f"Bearer {issue_access_token(CLERK, JWT, 60)}"}

        def reads(headers: dict[str, str]) -> Callable[[int], tuple[str, dict[str, str], None]]:
            return lambda i: ("/api/v1/tasks?limit=20", headers, None)

        def writes(headers: dict[str, str]) -> Callable[[int], tuple[str, dict[str, str], dict[str, object]]]:
            return lambda i: (
                "/api/v1/tasks",
                headers,
                {"title": f"压测任务 {i}", "lead_unit": "520102000000", "deadline": "2099-12-31"},
            )

        print(
            f"machine: {os.cpu_count()} cores; {seconds:.0f}s per measurement, {concurrency} connections, "
            f"{rounds} alternating rounds"
        )
        print(
            f"{'load':<8}{'direct rps':>12}{'gateway rps':>13}{'ratio':>8}"
            f"{'direct p99':>12}{'gw p99':>9}{'errors':>8}"
        )
        for name, make in (("write", writes), ("read", reads)):
            direct_runs, gateway_runs = [], []
            for _ in range(rounds):
                # Direct calls must carry a fresh identity (it expires after two minutes).
                direct[IDENTITY_HEADER] = sign_identity(CLERK, SECRET)
                direct_runs.append(await _load("http://127.0.0.1:18101", make(direct), seconds, concurrency))
                gateway_runs.append(await _load("http://127.0.0.1:18100", make(bearer), seconds, concurrency))
            d_rps = statistics.median(r[0] for r in direct_runs)
            g_rps = statistics.median(r[0] for r in gateway_runs)
            ratio = g_rps / d_rps
            print(
                f"{name:<8}{d_rps:>12.0f}{g_rps:>13.0f}{ratio:>8.2f}"
                f"{statistics.median(r[1] for r in direct_runs):>11.1f}ms"
                f"{statistics.median(r[1] for r in gateway_runs):>7.1f}ms"
                f"{sum(r[2] for r in direct_runs + gateway_runs):>8d}"
                f"   {'PASS' if ratio >= 0.8 else 'FAIL'} (target ≥ 0.8)"
            )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=15)
        await _reset_databases(prefix)
        await asyncio.to_thread(subprocess.run, ["rabbitmqctl", "delete_vhost", VHOST], capture_output=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.concurrency, args.rounds))
