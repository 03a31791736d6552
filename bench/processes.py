"""Services as processes for the benchmarks: a RabbitMQ vhost of their own, ``luoshi serve`` started with its
log in a file, readiness from /readyz, CPU and memory read from /proc (so the client is not counted), and
calls measured in groups."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.broker import queue_depths

TICK = os.sysconf("SC_CLK_TCK")


def vhost(name: str, create: bool) -> None:
    """(Re)create the vhost, or delete it."""
    subprocess.run(["rabbitmqctl", "delete_vhost", name], capture_output=True, check=False)
    if create:
        subprocess.run(["rabbitmqctl", "add_vhost", name], check=True, capture_output=True)
        permissions = ["rabbitmqctl", "set_permissions", "-p", name, "guest", ".*", ".*", ".*"]
        subprocess.run(permissions, check=True, capture_output=True)


def start(name: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "luoshi_cli.main", "serve", name, "--port", str(port)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"))  # nosec B603


def ready_check(port: int, check: str) -> bool:
    """One of the service's /readyz checks (``ok``: it answers 200)."""
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
        checks = dict(response.json().get("checks", {})) | {"ok": response.status_code == 200}
    except (httpx.HTTPError, ValueError):
        return False
    return bool(checks.get(check))


def drained(vhost_name: str, services: Sequence[str] | None = None) -> bool:
    """The running services' queues are empty, or every queue of the vhost with ``services`` None (the
    topology also declares the other services' queues, which fill when nobody consumes them); dead-letter
    queues do not count."""
    depths = queue_depths(vhost_name).items()
    return all(
        d == 0
        for q, d in depths
        if (services is None or any(s in q for s in services)) and not q.endswith(".dead")
    )


def log_messages(log: Path, prefix: str) -> list[str]:
    """The messages of a service's JSON log lines that start with ``prefix``."""
    lines = log.read_text(errors="replace").splitlines()
    messages = [json.loads(line).get("message", "") for line in lines if line.startswith("{")]
    return [m for m in messages if m.startswith(prefix)]


def _ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def cpu_seconds(pid: int) -> float:
    return _ticks(pid) / TICK


def cpu_of(pids: Iterable[int]) -> float:
    """The CPU seconds of these processes together; one that has ended counts nothing."""
    total = 0
    for pid in pids:
        try:
            total += _ticks(pid)
        except FileNotFoundError:
            continue
    return total / TICK


def pids_named(comm: str) -> list[int]:
    """The processes whose command name (/proc/<pid>/comm) is ``comm``, e.g. PostgreSQL's ``postgres``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == comm:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def py_spy(pid: int, output: Path, *options: str) -> subprocess.Popen[bytes]:
    """py-spy records ``pid`` into ``output``: raw (collapsed) stacks, for bench/stacks.py or flame graphs."""
    command = ["py-spy", "record", "-p", str(pid), "-f", "raw", "-o", str(output), *options]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # nosec B603


def memory_mib(pid: int) -> tuple[float, float]:
    """RSS now and its peak (VmHWM), MiB."""
    status = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


@dataclass
class Group:
    label: str
    latencies: list[float] = field(default_factory=list)
    cpu_ms: dict[str, float] = field(default_factory=dict)  # per request, by process


def measure(
    label: str, pids: dict[str, int], calls: Sequence[Callable[[], httpx.Response]], warm: int = 2
) -> Group:
    """The calls one at a time: latency of each, CPU per call of each process (first ``warm`` calls, which
    compile SQL and fill caches, run before and are not counted)."""
    for call in calls[:warm]:
        call()
    group = Group(label)
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    for call in calls:
        started = time.perf_counter()
        response = call()
        group.latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, f"{label}: {response.status_code} {response.text[:300]}"
    group.cpu_ms = {n: (cpu_seconds(p) - before[n]) * 1000 / len(calls) for n, p in pids.items()}
    return group
