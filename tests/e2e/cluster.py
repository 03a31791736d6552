"""Starts Luoshi the way an operator does (``luoshi up``) and drives it over HTTP like a user."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

T = TypeVar("T")
METRICS_TOKEN = "e2e-metrics-token-0123456789abcdef"  # LUOSHI_METRICS_TOKEN: the gateway's /metrics
SERVICE_OFFSETS = {"gateway": 0, "tasking": 1, "supervision": 2, "scoring": 3, "notification": 4}


def free_port_block(size: int = 5) -> int:
    """A base port with ``size`` free ports after it."""
    for _ in range(200):
        base = random.randint(20000, 40000)
        ok = True
        for port in range(base, base + size):
            with closing(socket.socket()) as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no free block of ports")


def wait_until(probe: Callable[[], T | None], timeout: float, what: str, interval: float = 0.1) -> T:
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            value = probe()
            if value:
                return value
        except (httpx.HTTPError, OSError) as exc:
            last = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last error: {last!r})")


@dataclass
class Cluster:
    data_dir: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port_block)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    # Migrating and seeding five databases takes a while on a busy 2-core machine.
    ready_timeout: float = 180

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def service_url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.port + SERVICE_OFFSETS[service]}"

    def start(self) -> None:
        self.launch()
        # Ready now includes tasking having taken in the seeded tree (~6,000 events): slow on a busy machine.
        wait_until(self._all_ready, 300, "all services ready", interval=0.3)

    def launch(self) -> None:
        """Start ``luoshi up`` and return at once (``start`` also waits until every service is ready)."""
        self.log_path = self.data_dir / "luoshi-up.log"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        cmd = [
            sys.executable,
            "-m",
            "luoshi_cli.main",
            "up",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
        ]
        self.process = subprocess.Popen(
            cmd, env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT
        )

    def wait_for_output(self, text: str, timeout: float) -> float:
        """Block until ``luoshi up`` prints ``text``; returns the seconds waited."""
        started = time.monotonic()

        def printed() -> bool:
            if self.process and self.process.poll() is not None:
                raise AssertionError(f"luoshi up exited with {self.process.returncode}:\n{self.logs()}")
            return text in self.logs_all()

        wait_until(printed, timeout, f"luoshi up to print {text!r}", interval=0.02)
        return time.monotonic() - started

    def _all_ready(self) -> bool:
        if self.process and self.process.poll() is not None:
            raise AssertionError(f"luoshi up exited with {self.process.returncode}:\n{self.logs()}")
        return all(
            httpx.get(f"{self.service_url(s)}/readyz", timeout=2).status_code == 200 for s in SERVICE_OFFSETS
        )

    def stop(self) -> int:
        """Ctrl-C, as an operator would; returns the exit code."""
        if not self.process or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError(f"luoshi up did not stop on Ctrl-C:\n{self.logs()}") from None

    def logs_all(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def logs(self) -> str:
        return (
            self.log_path.read_text(errors="replace")[-6000:]
            if self.log_path and self.log_path.exists()
            else ""
        )

    @property
    def demo_password(self) -> str:
        return (self.data_dir / "demo-password").read_text().strip()

    def client(self, username: str | None = None) -> httpx.Client:
        client = httpx.Client(base_url=self.url, timeout=10)
        if username:
            response = client.post(
                "/api/v1/auth/token", data={"username": username, "password": self.demo_password}
            )
            assert response.status_code == 200, response.text
            client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        return client


def create_task(client: httpx.Client, **overrides: Any) -> httpx.Response:
    body = {"title": "推进数字政府建设", "lead_unit": "520102000000", "deadline": "2099-12-31", **overrides}
    return client.post("/api/v1/tasks", json=body)


def wait_for_seed_delivered(cluster: Cluster, timeout: float = 180) -> None:
    """Services learn the tree and its people from the gateway's events: wait until the gateway's
    outbox is empty (everything published, so queued ahead of any later event) and tasking knows
    the demo county."""

    def drained() -> bool:
        body = httpx.get(f"{cluster.url}/readyz", timeout=5).json()
        return body.get("outbox_backlog") == 0

    wait_until(drained, timeout, "the gateway outbox to drain", interval=0.5)
    if cluster.env.get("LUOSHI_AMQP_URL"):
        from tests.broker import queue_depths

        vhost = cluster.env["LUOSHI_AMQP_URL"].rsplit("/", 1)[-1] or "/"

        def consumed() -> bool:
            depths = queue_depths(vhost)
            return all(
                depths.get(f"{s}.events", 0) == 0 for s in ("tasking", "notification", "gateway", "scoring")
            )

        wait_until(consumed, timeout, "the services to take in the seeded tree and people", interval=0.5)
