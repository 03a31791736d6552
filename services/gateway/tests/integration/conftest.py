"""A gateway on real PostgreSQL and RabbitMQ with a small tree and accounts.

Tree: 贵州省 520000000000 → 贵阳市 520100000000 → 南明区 520102000000, and the sibling city
六盘水市 520200000000. Everyone's password is PASSWORD.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from aiohttp import web
from fastapi import FastAPI
from sqlalchemy import func, select

from luoshi_gateway.auth.passwords import hash_password
from luoshi_gateway.config import GatewaySettings
from luoshi_gateway.main import create_app
from luoshi_gateway.orgs.models import Org
from luoshi_gateway.orgs.service import upsert_org
from luoshi_gateway.people.models import Person
from luoshi_gateway.people.service import upsert_person
from luoshi_kit.db import tables_of
from luoshi_kit.testing import TEST_SECRET, free_port, running_service

JWT_SECRET = "gateway-test-jwt-secret-0123456789abcdef"
PASSWORD = "correct-horse-42"
PROVINCE, CITY, COUNTY, SIBLING = "520000000000", "520100000000", "520102000000", "520200000000"

ORGS = [
    (PROVINCE, "贵州省人民政府", "province", None),
    (CITY, "贵阳市人民政府", "city", PROVINCE),
    (COUNTY, "南明区人民政府", "county", CITY),
    (SIBLING, "六盘水市人民政府", "city", PROVINCE),
]
ACCOUNTS = {  # username -> (org, roles)
    "admin": (PROVINCE, ["admin"]),
    "office": (PROVINCE, ["office"]),
    "city_admin": (CITY, ["admin"]),
    "city_deputy": (CITY, ["deputy"]),
    "county_admin": (COUNTY, ["admin"]),
    "county_handler": (COUNTY, ["handler"]),
    "sibling_admin": (SIBLING, ["admin"]),
}

_HASH: list[str] = []


def password_hash() -> str:
    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


async def seed(app: FastAPI) -> None:
    async with app.state.sessionmaker() as session, session.begin():
        for code, name, level, parent in ORGS:
            upsert_org(
                session=session,
                org=Org(
                    code=code,
                    name=name,
                    kind="government",
                    level=level,
                    parent_code=parent,
                    synthetic=False,
                    active=True,
                ),
            )
        for username, (org, roles) in ACCOUNTS.items():
            upsert_person(
                session=session,
                person=Person(
                    id=f"u-{username}",
                    username=username,
                    display_name=username,
                    org_code=org,
                    roles=roles,
                    password_hash=password_hash(),
                    active=True,
                ),
            )


GatewayFactory = Callable[..., AbstractAsyncContextManager[tuple[FastAPI, httpx.AsyncClient]]]


@pytest.fixture
def make_gateway(postgres_url: str, vhost_amqp_url: str) -> GatewayFactory:
    @asynccontextmanager
    async def factory(**overrides: Any) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
        settings = GatewaySettings(
            database_url=postgres_url,
            amqp_url=vhost_amqp_url,
            internal_secret=TEST_SECRET,
            jwt_secret=JWT_SECRET,
            **overrides,
        )
        async with running_service(create_app, settings) as (app, client):
            await seed(app)
            yield app, client

    return factory


@pytest.fixture
async def gateway(make_gateway: GatewayFactory) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with make_gateway() as pair:
        yield pair


@pytest.fixture
def client(gateway: tuple[FastAPI, httpx.AsyncClient]) -> httpx.AsyncClient:
    return gateway[1]


@pytest.fixture
def app(gateway: tuple[FastAPI, httpx.AsyncClient]) -> FastAPI:
    return gateway[0]


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/v1/auth/token", data={"username": username, "password": password})


async def token_of(client: httpx.AsyncClient, username: str) -> str:
    response = await sign_in(client, username)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def headers_of(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {await token_of(client, username)}"}


async def count(app: FastAPI, model: Any, *where: Any) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def outbox_model(app: FastAPI) -> Any:
    return tables_of(app.state.sessionmaker).outbox


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["type"].startswith("urn:luoshi:problem:")
    return body


async def fake_upstream(handler: Callable[[web.Request], Awaitable[web.Response]]) -> AsyncIterator[str]:
    """A local HTTP service answering with ``handler``, for the proxy to forward to (an async generator:
    ``async for url in fake_upstream(handler)``)."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
