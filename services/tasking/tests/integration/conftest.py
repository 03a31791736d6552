"""Shared fixtures of tasking's integration tests (real PostgreSQL and RabbitMQ).

Reusable by every tasking domain:

- ``tasking`` — the running service and a client, its org replica filled with ``ORGS``;
- ``add_orgs(app, rows)`` — insert more ``Org`` rows (code, name, level, parent) into the replica;
- ``person(org_code, *roles)`` — the signed identity headers the gateway would add;
- ``count_rows(app, *models)`` / ``outbox_types(app, subject)`` — to prove what was (not) written.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from luoshi_kit.db import tables_of
from luoshi_kit.testing import TEST_SECRET, running_service
from luoshi_kit.testing import Person as Person  # the tests import the people from here
from luoshi_kit.testing import person as person
from luoshi_tasking.config import TaskingSettings
from luoshi_tasking.main import create_app
from luoshi_tasking.orgs.models import Org

PROVINCE = "520000000000"  # 贵州省
CITY = "520100000000"  # 贵阳市
COUNTY = "520102000000"  # 南明区
SIBLING_COUNTY = "520103000000"  # 云岩区
TOWNSHIP = "520102001000"  # 南明区 新华路街道
OTHER_TOWNSHIP = "520102002000"  # 南明区 河滨街道
DEPARTMENT = "520102000000D01"  # 南明区 发展改革局
OTHER_CITY = "520300000000"  # 遵义市

ORGS: list[tuple[str, str, str, str | None]] = [
    (PROVINCE, "贵州省", "province", None),
    (CITY, "贵阳市", "city", PROVINCE),
    (COUNTY, "南明区", "county", CITY),
    (SIBLING_COUNTY, "云岩区", "county", CITY),
    (TOWNSHIP, "新华路街道", "township", COUNTY),
    (OTHER_TOWNSHIP, "河滨街道", "township", COUNTY),
    (DEPARTMENT, "南明区发展改革局", "county", COUNTY),
    (OTHER_CITY, "遵义市", "city", PROVINCE),
]


async def add_orgs(app: FastAPI, rows: Iterable[tuple[str, str, str, str | None]] = ORGS) -> None:
    """Fill the org replica directly (in production gateway.org.upserted events do it)."""
    async with app.state.sessionmaker() as session, session.begin():
        for code, name, level, parent in rows:
            kind = "department" if len(code) > 12 else "government"
            session.add(Org(code=code, name=name, kind=kind, level=level, parent_code=parent, active=True))


async def count_rows(app: FastAPI, *models: Any) -> dict[str, int]:
    async with app.state.sessionmaker() as session:
        return {
            m.__tablename__: int(await session.scalar(select(func.count()).select_from(m)) or 0)
            for m in models
        }


async def outbox_types(app: FastAPI, subject: str | None = None) -> list[str]:
    """Event types in the outbox, oldest first (of one task when ``subject`` is given)."""
    outbox = tables_of(app.state.sessionmaker).outbox
    query = select(outbox.event_type, outbox.body).order_by(outbox.created_at)
    async with app.state.sessionmaker() as session:
        rows = (await session.execute(query)).all()
    return [t for t, body in rows if subject is None or f'"subject":"{subject}"' in body]


async def outbox_payloads(app: FastAPI, event_type: str, subject: str) -> list[dict[str, Any]]:
    """The ``data`` of one task's events of one type in the outbox, oldest first."""
    outbox = tables_of(app.state.sessionmaker).outbox
    query = select(outbox.body).where(outbox.event_type == event_type).order_by(outbox.created_at)
    async with app.state.sessionmaker() as session:
        bodies = (await session.scalars(query)).all()
    events = [json.loads(body) for body in bodies]
    return [e["data"] for e in events if e["subject"] == subject]


@pytest.fixture
async def tasking(postgres_url: str, vhost_amqp_url: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    settings = TaskingSettings(
        database_url=postgres_url, amqp_url=vhost_amqp_url, internal_secret=TEST_SECRET
    )
    async with running_service(create_app, settings) as (app, client):
        await add_orgs(app)
        yield app, client


def unique_title(prefix: str = "任务") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"
