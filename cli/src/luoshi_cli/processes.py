"""The distributed mode: each service its own process against RabbitMQ and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from luoshi_cli.readiness import all_ready
from luoshi_cli.registry import SERVICES, upstream_env


def run_services(
    host: str, gateway_port: int, secrets: dict[str, str], on_ready: Callable[[], None] = lambda: None
) -> int:
    env = {**os.environ, **secrets, **upstream_env(host, gateway_port)}
    children: list[subprocess.Popen[bytes]] = []
    for entry in SERVICES:
        port = gateway_port + entry.port_offset
        cmd = [
            sys.executable,
            "-m",
            "luoshi_cli.main",
            "serve",
            entry.name,
            "--host",
            host,
            "--port",
            str(port),
        ]
        children.append(subprocess.Popen(cmd, env=env))
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    announced = False
    try:
        while not stopping and all(child.poll() is None for child in children):
            if not announced and all_ready(host, gateway_port):
                announced = True
                on_ready()
            time.sleep(0.2 if announced else 0.5)
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
    failed = [c.returncode for c in children if c.returncode not in (0, -signal.SIGTERM)]
    return 0 if stopping and not failed else 1
