"""A fault laboratory (issue 15 §4): Luoshi's five services as separate processes this module starts,
kills and restarts one by one, on a RabbitMQ vhost and PostgreSQL databases of its own.

Shared by ``bench/faults.py`` (the campaign, figures) and ``tests/e2e/test_faults.py`` (a short run).

On this machine RabbitMQ and PostgreSQL are shared system services, so:
- a broker outage is ``rabbitmqctl stop_app``/``start_app`` (always restarted in a ``finally``); killing the
  broker's Erlang VM with SIGKILL (``broker_killed``) is only for a campaign on a machine nobody else uses
  (``bench/faults.py --kill-broker``), restarted with ``rabbitmq-server -detached`` in a ``finally``;
- the shared PostgreSQL server is never stopped. A service named in ``private_postgres`` gets a server of the
  lab's own (tests/e2e/privatepg.py), which ``postgres_crashed`` stops immediately and starts again; on the
  shared server "the database of one service goes down" is ``ALTER DATABASE … ALLOW_CONNECTIONS false`` plus
  ``pg_terminate_backend`` of its connections, and ``ALLOW_CONNECTIONS true`` afterwards.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from luoshi_cli.registry import SERVICES, upstream_env
from luoshi_kit.testing import rabbitmqctl
from tests.broker import queue_depths
from tests.e2e.cluster import METRICS_TOKEN, free_port_block, wait_until
from tests.e2e.privatepg import PrivatePostgres

NAMES = tuple(s.name for s in SERVICES)
UNPUBLISHED = "SELECT count(*) FROM outbox WHERE published_at IS NULL"


def _admin_sql(server_url: str, *statements: str) -> None:
    async def run() -> None:
        engine = create_async_engine(
            f"{server_url}/postgres", isolation_level="AUTOCOMMIT", poolclass=pool.NullPool
        )
        try:
            async with engine.connect() as conn:
                for statement in statements:
                    await conn.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run())


def _broker_pid() -> int:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "beam.smp":
                    return int(entry.name)
            except OSError:
                continue
    raise AssertionError("no beam.smp process: is RabbitMQ running on this machine?")


def _broker_up() -> bool:
    try:
        rabbitmqctl("await_startup", attempts=1)
        return True
    except (RuntimeError, subprocess.TimeoutExpired):
        return False


@dataclass
class Lab:
    data_dir: Path
    amqp_url: str
    postgres_server_url: str
    prefix: str = field(default_factory=lambda: f"luoshi_faults_{uuid.uuid4().hex[:8]}")
    port: int = field(default_factory=free_port_block)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    private_postgres: tuple[str, ...] = ()  # services whose database lives on a server of the lab's own
    servers: dict[str, PrivatePostgres] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def database(self, service: str) -> str:
        return f"{self.prefix}_{service}"

    def database_url(self, service: str) -> str:
        server = self.servers[service].url if service in self.servers else self.postgres_server_url
        return f"{server}/{self.database(service)}"

    def service_url(self, service: str) -> str:
        offset = next(s.port_offset for s in SERVICES if s.name == service)
        return f"http://127.0.0.1:{self.port + offset}"

    # --- life cycle -------------------------------------------------------------------------------

    def setup(self) -> None:
        """Vhost, databases (migrated), the seeded tree and the demo accounts; nothing started yet."""
        rabbitmqctl("add_vhost", self.prefix)
        rabbitmqctl("set_permissions", "-p", self.prefix, "guest", ".*", ".*", ".*")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "LUOSHI_AMQP_URL": f"{self.amqp_url.rstrip('/')}/{self.prefix}",
            "LUOSHI_DATABASE_URL": f"{self.postgres_server_url}/{self.prefix}_{{service}}",
            "LUOSHI_LOG_LEVEL": "WARNING",
            "LUOSHI_METRICS_TOKEN": METRICS_TOKEN,
            "LUOSHI_INTERNAL_SECRET": secrets.token_urlsafe(32),
            "LUOSHI_JWT_SECRET": secrets.token_urlsafe(32),
            **upstream_env("127.0.0.1", self.port),
        }
        for service in self.private_postgres:
            self.servers[service] = PrivatePostgres().create()
            self.env[f"LUOSHI_{service.upper()}_DATABASE_URL"] = self.database_url(service)
        for command in (["migrate"], ["seed", "--demo"]):
            subprocess.run(
                [sys.executable, "-m", "luoshi_cli.main", *command, "--data-dir", str(self.data_dir)],
                env=self.env,
                check=True,
                capture_output=True,
                timeout=600,
            )

    def start(self, service: str) -> None:
        port = self.port + next(s.port_offset for s in SERVICES if s.name == service)
        log = (self.data_dir / f"{service}.log").open("ab")
        cmd = [sys.executable, "-m", "luoshi_cli.main", "serve", service, "--port", str(port)]
        self.procs[service] = subprocess.Popen(cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start_all(self, timeout: float = 300) -> None:
        for service in NAMES:
            self.start(service)
        for service in NAMES:
            self.wait_ready(service, timeout)

    def wait_seeded(self, timeout: float = 300) -> None:
        """Every service has taken in the seeded tree and people (nothing queued, nothing unpublished)."""

        def drained() -> bool:
            backlog = sum(
                self.sql(s, "SELECT count(*) FROM outbox WHERE published_at IS NULL")[0][0] for s in NAMES
            )
            return not backlog and not any(self.queues().values())

        wait_until(drained, timeout, "the seeded tree to reach every service", interval=1)

    def wait_ready(self, service: str, timeout: float = 300) -> float:
        started = time.monotonic()

        def ready() -> bool:
            process = self.procs[service]
            if process.poll() is not None:
                raise AssertionError(f"{service} exited with {process.returncode}: {self.log(service)}")
            return httpx.get(f"{self.service_url(service)}/readyz", timeout=3).status_code == 200

        wait_until(ready, timeout, f"{service} ready", interval=0.3)
        return time.monotonic() - started

    def kill(self, service: str) -> None:
        """SIGKILL: no shutdown hook runs, open transactions and unacked deliveries are cut."""
        process = self.procs[service]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in self.procs.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.procs.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def teardown(self) -> None:
        self.stop_all()
        _admin_sql(
            self.postgres_server_url,
            *(f'DROP DATABASE IF EXISTS "{self.database(s)}" WITH (FORCE)' for s in NAMES),
        )
        for server in self.servers.values():
            server.destroy()
        rabbitmqctl("delete_vhost", self.prefix)

    def log(self, service: str) -> str:
        path = self.data_dir / f"{service}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    # --- faults -----------------------------------------------------------------------------------

    @contextmanager
    def database_down(self, service: str) -> Iterator[None]:
        """The service's own database refuses connections and its open ones are cut; restored after."""
        name = self.database(service)
        _admin_sql(
            self.postgres_server_url,
            f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
        )
        try:
            yield
        finally:
            _admin_sql(self.postgres_server_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')

    @contextmanager
    def broker_stopped(self) -> Iterator[None]:
        """``rabbitmqctl stop_app`` (the shared broker is never killed); ``start_app`` in a finally."""
        rabbitmqctl("stop_app")
        try:
            yield
        finally:
            rabbitmqctl("start_app")
            rabbitmqctl("await_startup")

    @contextmanager
    def postgres_crashed(self, service: str) -> Iterator[None]:
        """The service's own PostgreSQL server stopped immediately (``-m immediate``), started again after."""
        server = self.servers[service]
        server.crash()
        try:
            yield
        finally:
            server.start()

    @contextmanager
    def broker_killed(self) -> Iterator[None]:
        """SIGKILL of the broker's Erlang VM; ``rabbitmq-server -detached`` and ``await_startup`` after."""
        os.kill(_broker_pid(), signal.SIGKILL)
        try:
            yield
        finally:
            subprocess.run(["rabbitmq-server", "-detached"], check=False, capture_output=True, timeout=60)  # nosec
            wait_until(_broker_up, 180, "the broker to start again", interval=1)

    # --- what is left -----------------------------------------------------------------------------

    def queues(self) -> dict[str, int]:
        return queue_depths(self.prefix)

    def sql(self, service: str, statement: str, **params: Any) -> list[tuple[Any, ...]]:
        async def run() -> list[tuple[Any, ...]]:
            engine = create_async_engine(self.database_url(service), poolclass=pool.NullPool)
            try:
                async with engine.connect() as conn:
                    return [tuple(row) for row in (await conn.execute(text(statement), params)).all()]
            finally:
                await engine.dispose()

        return asyncio.run(run())

    @property
    def demo_password(self) -> str:
        return (self.data_dir / "demo-password").read_text().strip()
