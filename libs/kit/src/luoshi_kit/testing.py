"""Pytest fixtures for tests against the real broker and database.

URLs come from the environment (``LUOSHI_TEST_AMQP_URL``, ``LUOSHI_TEST_POSTGRES_URL``, the latter
without a database name). Without them, testcontainers starts RabbitMQ and PostgreSQL where a Docker
engine runs; where neither is possible the test fails with a clear message — never a silent skip.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import closing

import pytest


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


@pytest.fixture
def unique_name() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
