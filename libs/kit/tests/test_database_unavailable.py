"""A database that refuses or drops connections answers 503 problem (retry later), not 500."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from luoshi_kit.errors import database_unavailable, install_problem_handlers


class _Refused(Exception):
    sqlstate = "57P03"  # cannot_connect_now


class _TooMany(Exception):
    sqlstate = "53300"


class _Unique(Exception):
    sqlstate = "23505"


def test_which_errors_mean_unavailable() -> None:
    assert database_unavailable(DBAPIError("connect", None, _Refused()))
    assert database_unavailable(DBAPIError("connect", None, _TooMany()))
    assert database_unavailable(DBAPIError("connect", None, ConnectionRefusedError()))
    assert database_unavailable(DBAPIError("x", None, Exception(), connection_invalidated=True))
    assert not database_unavailable(IntegrityError("insert", None, _Unique()))
    assert not database_unavailable(ValueError("bug"))


async def test_a_refused_connection_is_503_with_retry_after() -> None:
    # A PostgreSQL port nobody listens on: connecting fails the way a stopped database does.
    engine = create_async_engine("postgresql+asyncpg://postgres@127.0.0.1:1/none", pool_pre_ping=False)
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/read")
    async def read() -> int:
        async with engine.connect() as conn:
            return int((await conn.execute(text("select 1"))).scalar_one())

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/read")
    await engine.dispose()
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    assert response.json()["type"] == "urn:luoshi:problem:database-unavailable"
