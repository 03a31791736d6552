"""CPU per request of the busiest routes, every service its own process, and their memory (issue 10 §1, §5).

    ./dev python -m bench.route_costs [--requests 200] [--concurrency 8] [--no-write] [--profile SERVICE DIR]

Starts ``luoshi up`` in distributed mode on a RabbitMQ vhost and PostgreSQL databases of its own (as the e2e
suite does), then for each route sends ``--requests`` calls through the gateway, ``--concurrency`` at a time,
waits until every service's queue has drained (the work a request's events cause elsewhere counts to the
route that caused it) and reads each service process's CPU from /proc/<pid>/stat, less what the idle
cluster spends in the same time (scans, relays, heartbeats; measured before the first route). Prints a
table of milliseconds of CPU per request by process, and the resident memory (RSS) of each process after the
run, and replaces its section of RESULTS.md. ``--profile notification /tmp/prof`` records that service with
py-spy during each route (one collapsed-stack file per route, for ``bench/stacks.py``).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from bench import processes as proc
from bench.common import RESULTS, load_average, machine, replace_section, server_url
from luoshi_kit.timebase import business_today
from tests.e2e.cluster import Cluster, wait_for_seed_delivered, wait_until
from tests.e2e.conftest import distributed_cluster

SERVICES = ("gateway", "tasking", "supervision", "scoring", "notification")
COUNTY, PROVINCE = "520102000000", "520000000000"
WARM_UP = 5
HEADING = "## CPU per request of the busiest routes (issue 10), `bench/route_costs.py`"


def _service_pids(port: int) -> dict[str, int]:
    """The ``luoshi serve <name> … --port <p>`` children of this cluster's ``luoshi up``."""
    found: dict[str, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [a.decode(errors="replace") for a in argv]
        if "serve" in words and "--port" in words:
            name, at = words[words.index("serve") + 1], int(words[words.index("--port") + 1])
            if name in SERVICES and port <= at < port + len(SERVICES):
                found[name] = int(entry.name)
    assert set(found) == set(SERVICES), f"service processes not found: {found}"
    return found


def _cpu(pids: dict[str, int]) -> dict[str, float]:
    return {name: proc.cpu_seconds(pid) for name, pid in pids.items()}


@dataclass
class Route:
    name: str
    call: Callable[[httpx.Client, int], httpx.Response]
    who: str
    expect: int = 200
    prepare: Callable[[Cluster, int], None] | None = None  # makes what each call consumes


@dataclass
class Cost:
    route: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    cpu_ms: dict[str, float]


class Story:
    """What the routes act on: tasks made ahead for the calls that consume one."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.clients = {u: cluster.client(u) for u in ("province_office", "county_handler", "admin")}
        self.fresh: list[str] = []  # assigned, for accept
        self.accepted: list[str] = []  # for reports, reads
        self.notification_ids: list[str] = []

    def make_tasks(self, n: int) -> None:
        office = self.clients["province_office"]
        for i in range(n):
            body = {
                "title": f"压测任务{i}",
                "lead_unit": COUNTY,
                "deadline": (business_today() + timedelta(90)).isoformat(),
            }
            response = office.post("/api/v1/tasks", json=body)
            assert response.status_code == 201, response.text
            self.fresh.append(response.json()["id"])


def _task_body(i: int) -> dict[str, Any]:
    return {
        "title": f"路由成本{i}",
        "lead_unit": COUNTY,
        "deadline": (business_today() + timedelta(120)).isoformat(),
    }


def _report_body(i: int) -> dict[str, Any]:
    return {
        "progress_percent": 10 + i % 80,
        "progress": "按计划推进",
        "problems": "无",
        "measures": "加强调度",
    }


def routes(story: Story) -> list[Route]:
    def accept(client: httpx.Client, i: int) -> httpx.Response:
        task_id = story.fresh.pop()
        story.accepted.append(task_id)
        return client.post(f"/api/v1/tasks/{task_id}/accept")

    def report(client: httpx.Client, i: int) -> httpx.Response:
        return client.post(
            f"/api/v1/tasks/{story.accepted[i % len(story.accepted)]}/reports", json=_report_body(i)
        )

    def busy(i: int) -> str:
        return story.accepted[0]

    today = business_today()
    urge = {
        "kind": "urge",
        "org_code": COUNTY,
        "message": "请加快进度",
        "answer_due": (today + timedelta(10)).isoformat(),
    }
    inspection = {
        "title": "专项督查",
        "kind": "unannounced",  # 暗访: not under the yearly cap of routine inspections
        "subject_kind": "theme",
        "subject": "优化营商环境",
        "target_orgs": [COUNTY],
        "planned_start": today.isoformat(),
        "planned_end": (today + timedelta(10)).isoformat(),
    }
    return [
        Route(
            "POST /tasks 交办",
            lambda c, i: c.post("/api/v1/tasks", json=_task_body(i)),
            "province_office",
            201,
        ),
        Route("POST /tasks/{id}/accept 签收", accept, "county_handler"),
        Route("POST /tasks/{id}/reports 落实反馈", report, "county_handler", 201),
        Route(
            "POST /urges 催办",
            lambda c, i: c.post("/api/v1/urges", json=urge | {"task_id": busy(i)}),
            "province_office",
            201,
        ),
        Route(
            "POST /inspections 督查",
            lambda c, i: c.post("/api/v1/inspections", json=inspection | {"subject": f"优化营商环境{i}"}),
            "province_office",
            201,
        ),
        Route(
            "GET /tasks?limit=20",
            lambda c, i: c.get("/api/v1/tasks", params={"limit": 20}),
            "province_office",
        ),
        Route("GET /tasks/{id}", lambda c, i: c.get(f"/api/v1/tasks/{busy(i)}"), "county_handler"),
        Route(
            "GET /tasks/{id}/timeline",
            lambda c, i: c.get(f"/api/v1/tasks/{busy(i)}/timeline"),
            "province_office",
        ),
        Route(
            "GET /dashboard 督查看板",
            lambda c, i: c.get("/api/v1/dashboard", params={"org": PROVINCE}),
            "province_office",
        ),
        Route("GET /notifications 消息", lambda c, i: c.get("/api/v1/notifications"), "county_handler"),
        Route(
            "GET /points/standings 积分",
            lambda c, i: c.get(f"/api/v1/points/standings/{COUNTY}"),
            "province_office",
        ),
    ]


def measure(
    cluster: Cluster,
    pids: dict[str, int],
    route: Route,
    story: Story,
    n: int,
    concurrency: int,
    idle: dict[str, float],
    profile: tuple[int, Path] | None = None,
) -> Cost:
    vhost = cluster.env["LUOSHI_AMQP_URL"].rsplit("/", 1)[-1]
    client = story.clients[route.who]
    latencies: list[float] = []

    def one(i: int) -> None:
        started = time.perf_counter()
        response = route.call(client, i)
        latencies.append(time.perf_counter() - started)
        assert response.status_code == route.expect, (
            f"{route.name}: {response.status_code} {response.text[:300]}"
        )

    for i in range(
        WARM_UP
    ):  # first calls import and compile lazily (anyio's backend, SQL caches): not counted
        one(n + i)
    latencies.clear()
    wait_until(lambda: proc.drained(vhost), 300, "the queues to drain", interval=0.2)
    spy = proc.py_spy(*profile, "-r", "200") if profile else None
    before, started = _cpu(pids), time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(n)))
    wait_until(lambda: proc.drained(vhost), 300, "the queues to drain", interval=0.2)
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
    seconds = time.monotonic() - started
    after = _cpu(pids)
    cpu = {s: max(0.0, (after[s] - before[s] - idle[s] * seconds)) * 1000 / n for s in SERVICES}
    latencies.sort()
    return Cost(
        route.name,
        n,
        seconds,
        statistics.median(latencies) * 1000,
        latencies[int(0.95 * (n - 1))] * 1000,
        cpu,
    )


def report_table(costs: list[Cost], rss: dict[str, float], args: argparse.Namespace) -> str:
    head = "| route | req/s | p50 ms | p95 ms | " + " | ".join(SERVICES) + " | total CPU ms |"
    lines = [head, "|" + "---|" * (5 + len(SERVICES))]
    for c in costs:
        cells = " | ".join(f"{c.cpu_ms[s]:.2f}" for s in SERVICES)
        lines.append(
            f"| {c.route} | {c.requests / c.seconds:.0f} | {c.p50_ms:.1f} | {c.p95_ms:.1f} | {cells} "
            f"| {sum(c.cpu_ms.values()):.2f} |"
        )
    memory = ", ".join(f"{s} {rss[s]:.0f} MiB" for s in SERVICES)
    return (
        f"{HEADING}\n\n"
        f"`./dev python -m bench.route_costs --requests {args.requests} --concurrency {args.concurrency}` — "
        f"{machine()}; load average at the end {load_average()}; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.\n"
        "Every call through the gateway; CPU in ms per request by service process, including the work its "
        "events cause in the other services (measured until every queue drained), less the idle cluster's "
        "own CPU. PostgreSQL's CPU is not in these columns.\n\n"
        + "\n".join(lines)
        + f"\n\nResident memory after the run: {memory}.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--profile", nargs=2, metavar=("SERVICE", "DIR"))
    args = parser.parse_args()
    amqp = (
        os.environ.get("LUOSHI_BENCH_AMQP_URL")
        or os.environ.get("LUOSHI_TEST_AMQP_URL")
        or "amqp://guest:guest@127.0.0.1:5672/"
    )
    with tempfile.TemporaryDirectory() as tmp, distributed_cluster(amqp, server_url(), Path(tmp)) as cluster:
        cluster.env["LUOSHI_DB_POOL_SIZE"] = "5"
        cluster.start()
        wait_for_seed_delivered(cluster)
        pids = _service_pids(cluster.port)
        story = Story(cluster)
        story.make_tasks(args.requests + WARM_UP)
        vhost = cluster.env["LUOSHI_AMQP_URL"].rsplit("/", 1)[-1]
        wait_until(lambda: proc.drained(vhost), 300, "the queues to drain", interval=0.5)
        time.sleep(2)
        before, idle_for = _cpu(pids), 10.0
        time.sleep(idle_for)
        idle = {s: (v - before[s]) / idle_for for s, v in _cpu(pids).items()}
        print("idle CPU, ms per second:", {s: round(v * 1000, 1) for s, v in idle.items()}, flush=True)
        costs = []
        for route in routes(story):
            profile = None
            if args.profile:
                folder = Path(args.profile[1])
                folder.mkdir(parents=True, exist_ok=True)
                slug = re.sub(r"[^a-z]+", "-", route.name.split(" ")[0] + route.name.split(" ")[1].lower())
                profile = (pids[args.profile[0]], folder / f"{args.profile[0]}{slug}.txt")
            cost = measure(cluster, pids, route, story, args.requests, args.concurrency, idle, profile)
            print(
                f"{cost.route:34} {cost.requests / cost.seconds:6.0f}/s p95 {cost.p95_ms:6.1f} ms  "
                + "  ".join(f"{s} {cost.cpu_ms[s]:.2f}" for s in SERVICES),
                flush=True,
            )
            costs.append(cost)
        rss = {s: proc.memory_mib(pid)[0] for s, pid in pids.items()}
    section = report_table(costs, rss, args)
    print(section)
    if not args.no_write:
        replace_section(
            RESULTS, "## CPU per request of the busiest routes (issue 10), `bench/route_costs.py`", section
        )


if __name__ == "__main__":
    main()
