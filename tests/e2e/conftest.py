from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from luoshi_kit.testing import rabbitmqctl
from tests.e2e.cluster import METRICS_TOKEN, Cluster, wait_for_seed_delivered

SERVICES = ("gateway", "tasking", "supervision", "scoring", "notification")


async def _drop_databases(server_url: str, prefix: str) -> None:
    engine = create_async_engine(
        f"{server_url}/postgres", isolation_level="AUTOCOMMIT", poolclass=pool.NullPool
    )
    try:
        async with engine.connect() as conn:
            for service in SERVICES:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{prefix}_{service}" WITH (FORCE)'))
    finally:
        await engine.dispose()


@contextmanager
def distributed_cluster(amqp_url: str, postgres_server_url: str, data_dir: Path) -> Iterator[Cluster]:
    """A cluster (not yet started) with a vhost and databases of its own, removed afterwards."""
    prefix = f"luoshi_e2e_{uuid.uuid4().hex[:8]}"
    rabbitmqctl("add_vhost", prefix)
    rabbitmqctl("set_permissions", "-p", prefix, "guest", ".*", ".*", ".*")
    env = {
        "LUOSHI_AMQP_URL": f"{amqp_url.rstrip('/')}/{prefix}",
        "LUOSHI_DATABASE_URL": f"{postgres_server_url}/{prefix}_{{service}}",
        "LUOSHI_LOG_LEVEL": "WARNING",
        "LUOSHI_METRICS_TOKEN": METRICS_TOKEN,
        # Two clusters may run at once (the contract gate's and the session's), five services each, on a
        # PostgreSQL with 100 connections: 3 + 3 per service keeps them all within it.
        "LUOSHI_DB_POOL_SIZE": "3",
        "LUOSHI_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",  # the tests' local webhook receivers
        # Every e2e client files public clues from 127.0.0.1 (the matrix alone ~40 an hour); the flood test
        # names an address of its own with X-Forwarded-For, which the gateway believes from 127.0.0.1.
        "LUOSHI_CLUE_RATE_PER_HOUR": "100",
        "LUOSHI_TRUSTED_PROXIES": "127.0.0.1",
    }
    cluster = Cluster(data_dir=data_dir, env=env)
    try:
        yield cluster
    finally:
        cluster.stop()
        asyncio.run(_drop_databases(postgres_server_url, prefix))
        rabbitmqctl("delete_vhost", prefix)


EMBEDDED_ENV = {
    "LUOSHI_AMQP_URL": "",
    "LUOSHI_DATABASE_URL": "",
    "LUOSHI_LOG_LEVEL": "WARNING",
    "LUOSHI_METRICS_TOKEN": METRICS_TOKEN,
    "LUOSHI_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
}


@pytest.fixture(scope="session")
def distributed(
    amqp_url: str, postgres_server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    """Luoshi over RabbitMQ and PostgreSQL, each service its own process (``luoshi up`` with a broker).

    It gets a vhost and databases of its own, so nothing another run left behind (or is doing) leaks in.
    """
    with distributed_cluster(
        amqp_url, postgres_server_url, Path(tmp_path_factory.mktemp("luoshi"))
    ) as cluster:
        cluster.start()
        wait_for_seed_delivered(cluster)
        yield cluster


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """The embedded default: no broker, no database server — ``luoshi up`` with nothing configured."""
    data_dir = tmp_path_factory.mktemp("embedded")
    cluster = Cluster(data_dir=Path(data_dir), env=EMBEDDED_ENV)
    cluster.start()
    try:
        wait_for_seed_delivered(cluster)
        yield cluster
    finally:
        cluster.stop()
