"""Pytest fixtures for tests against the real broker and database.

URLs come from the environment (``LUOSHI_TEST_AMQP_URL``, ``LUOSHI_TEST_POSTGRES_URL``, the latter
without a database name). Without them, testcontainers starts RabbitMQ and PostgreSQL where a Docker
engine runs; where neither is possible the test fails with a clear message — never a silent skip.
"""

from __future__ import annotations

import asyncio
import gc
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, closing
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import MetaData, pool, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import DeclarativeBase

from luoshi_kit.db import NAMING, InboxMixin, OutboxMixin, ServiceTables, tables_of
from luoshi_kit.identity import IDENTITY_HEADER, Identity, sign_identity

TEST_SECRET = "luoshi-test-internal-secret-0123456789"


async def longest_stall(work: Awaitable[object]) -> float:
    """The longest gap between two runs of a ticker while ``work`` runs: how long a request arriving then
    could wait for the event loop (``luoshi_kit.loopshare``)."""
    gaps: list[float] = []
    done = False

    async def ticker() -> None:
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    gc.disable()  # a full collection of the test process's heap pauses it ~130 ms: not what is measured
    try:
        await work
    finally:
        gc.enable()
        done = True
        await ticking
    return max(gaps)


def kit_tables() -> ServiceTables:
    """A declarative base of its own with only the kit's outbox and inbox mapped: for tests of the kit's
    messaging without a service (a fresh base each call, so two tests' tables never meet)."""

    class Base(DeclarativeBase):
        metadata = MetaData(naming_convention=NAMING)

    class OutboxEvent(OutboxMixin, Base):
        pass

    class InboxEvent(InboxMixin, Base):
        pass

    return ServiceTables(base=Base, outbox=OutboxEvent, inbox=InboxEvent)


def _docker_available() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env().ping()
        return True
    except Exception:
        return False


def _require(env: str, what: str) -> str:
    raise pytest.fail.Exception(
        f"{what} is needed: set {env} (e.g. the values .ci/run sets) or run where a Docker engine is "
        "available for testcontainers."
    )


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    if url := os.environ.get("LUOSHI_TEST_AMQP_URL"):
        yield url
        return
    if not _docker_available():
        _require("LUOSHI_TEST_AMQP_URL", "RabbitMQ")
    from testcontainers.rabbitmq import RabbitMqContainer

    with RabbitMqContainer("rabbitmq:3.13") as container:
        params = container.get_connection_params()
        yield f"amqp://guest:guest@{params.host}:{params.port}/"


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """``postgresql+asyncpg://user@host:port`` without a database; tests create their own databases."""
    if url := os.environ.get("LUOSHI_TEST_POSTGRES_URL"):
        yield url.rstrip("/")
        return
    if not _docker_available():
        _require("LUOSHI_TEST_POSTGRES_URL", "PostgreSQL")
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:16", driver="asyncpg") as container:
        url = container.get_connection_url()
        yield url.rsplit("/", 1)[0]


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rabbitmqctl(*args: str, attempts: int = 3) -> None:
    """Runs rabbitmqctl; retried, since its CLI node can fail to start while others run at once."""
    command = os.environ.get("LUOSHI_TEST_RABBITMQCTL", "rabbitmqctl")
    for attempt in range(1, attempts + 1):
        result = subprocess.run([command, *args], capture_output=True, text=True, timeout=120)
        if result.returncode == 0:
            return
        if attempt == attempts:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        time.sleep(attempt)


@pytest.fixture
def vhost_amqp_url(amqp_url: str) -> Iterator[str]:
    """A RabbitMQ vhost of its own, so a test's topology and messages meet no one else's."""
    if not shutil.which(os.environ.get("LUOSHI_TEST_RABBITMQCTL", "rabbitmqctl")):
        pytest.fail("these tests need rabbitmqctl to make a vhost of their own (LUOSHI_TEST_RABBITMQCTL)")
    name = f"luoshi_it_{uuid.uuid4().hex[:8]}"
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    try:
        yield f"{amqp_url.rstrip('/')}/{name}"
    finally:
        rabbitmqctl("delete_vhost", name)


async def _database(server: str, name: str, *, drop: bool) -> None:
    engine = create_async_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
    try:
        async with engine.connect() as conn:
            statement = (
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' if drop else f'CREATE DATABASE "{name}"'
            )
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"luoshi_it_{uuid.uuid4().hex[:8]}"
    asyncio.run(_database(postgres_server_url, name, drop=False))
    try:
        yield f"{postgres_server_url}/{name}"
    finally:
        asyncio.run(_database(postgres_server_url, name, drop=True))


def identity_headers(identity: Identity, secret: str = TEST_SECRET) -> dict[str, str]:
    """The headers the gateway adds: a service trusts nothing else."""
    return {IDENTITY_HEADER: sign_identity(identity, secret)}


class Person(Mapping[str, str]):
    """The identity headers of one person, signed afresh on every use (signatures live 120 s, and
    module-level people outlive that in a long test run)."""

    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def __getitem__(self, key: str) -> str:
        return identity_headers(self.identity)[key]

    def __iter__(self) -> Iterator[str]:
        return iter(identity_headers(self.identity))

    def __len__(self) -> int:
        return 1


def person(org_code: str, *roles: str, person_id: str | None = None) -> Person:
    """Headers for a person of ``org_code`` with ``roles`` (default: handler), id ``p-<org>-<roles>``."""
    pid = person_id or f"p-{org_code}-{'-'.join(roles) or 'handler'}"
    identity = Identity(
        person_id=pid, username=pid, display_name=pid, org_code=org_code, roles=list(roles or ("handler",))
    )
    return Person(identity)


@asynccontextmanager
async def running_service(
    create_app: Callable[..., FastAPI], settings: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """A service app with its lifespan running (bus, relay, consumer) and a client for it.

    ``settings`` must carry a real ``database_url`` and ``amqp_url`` (see the ``postgres_url`` and
    ``vhost_amqp_url`` fixtures) and ``internal_secret=TEST_SECRET``. Tables come from the models
    (``create_all``); that migrations match the models is tested separately.
    """
    app = create_app(settings)
    async with app.state.engine.begin() as conn:
        await conn.run_sync(tables_of(app.state.sessionmaker).base.metadata.create_all)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield app, client
