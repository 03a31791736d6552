from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.broker import rabbitmqctl


@pytest.fixture
def vhost_amqp_url(amqp_url: str) -> Iterator[str]:
    """A vhost of its own, so this test's topology and messages meet no one else's."""
    if not shutil.which("rabbitmqctl"):
        pytest.fail("these tests need rabbitmqctl to make a vhost of their own (LUOSHI_TEST_RABBITMQCTL)")
    name = f"luoshi_it_{uuid.uuid4().hex[:8]}"
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    try:
        yield f"{amqp_url.rstrip('/')}/{name}"
    finally:
        rabbitmqctl("delete_vhost", name)


async def _create_db(server: str, name: str, drop: bool = False) -> None:
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
    """A fresh PostgreSQL database for one test."""
    name = f"luoshi_it_{uuid.uuid4().hex[:8]}"
    asyncio.run(_create_db(postgres_server_url, name))
    try:
        yield f"{postgres_server_url}/{name}"
    finally:
        asyncio.run(_create_db(postgres_server_url, name, drop=True))
