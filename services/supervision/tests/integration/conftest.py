"""Shared fixtures of supervision's integration tests (real PostgreSQL and RabbitMQ).

- ``supervision`` — the running service and a client (settings overridable with ``supervision_settings``);
- ``person(org_code, *roles)`` — the signed identity headers the gateway would add;
- ``count_rows`` / ``outbox`` — to prove what was (not) written and how events are routed;
- ``publish`` — put an event on the broker as another service would (through the real exchange).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import aio_pika
import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import func, select

from luoshi_kit.db import tables_of
from luoshi_kit.messaging.bus import OutgoingMessage, Unroutable
from luoshi_kit.testing import TEST_SECRET, running_service
from luoshi_kit.testing import Person as Person  # the tests import the people from here
from luoshi_kit.testing import person as person
from luoshi_kit.timebase import business_today
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.registry import routing_key, type_of
from luoshi_supervision.config import SupervisionSettings
from luoshi_supervision.main import create_app

PROVINCE = "520000000000"  # 贵州省
CITY = "520100000000"  # 贵阳市
COUNTY = "520102000000"  # 南明区
SIBLING_COUNTY = "520103000000"  # 云岩区
TOWNSHIP = "520102001000"  # 南明区 新华路街道
OTHER_CITY = "520300000000"  # 遵义市


def soon(days: int = 1) -> str:
    return (business_today() + timedelta(days=days)).isoformat()


def inspection_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "专项督查 营商环境",
        "kind": "special",
        "subject_kind": "theme",
        "subject": "优化营商环境",
        "target_orgs": [COUNTY],
        "team": [{"person_id": "inspector-1", "role": "inspector"}],
        "planned_start": soon(1),
        "planned_end": soon(10),
    }
    return body | overrides


async def count_rows(app: FastAPI, *models: Any) -> dict[str, int]:
    async with app.state.sessionmaker() as session:
        return {
            m.__tablename__: int(await session.scalar(select(func.count()).select_from(m)) or 0)
            for m in models
        }


async def outbox(app: FastAPI, subject: str | None = None) -> list[tuple[str, str, dict[str, Any]]]:
    """(event type, routing key, data) in the outbox, oldest first (of one entity when ``subject`` is
    given)."""
    table = tables_of(app.state.sessionmaker).outbox
    query = select(table.event_type, table.routing_key, table.body).order_by(table.created_at)
    async with app.state.sessionmaker() as session:
        rows = (await session.execute(query)).all()
    out = []
    for event_type, key, body in rows:
        envelope = json.loads(body)
        if subject is None or envelope.get("subject") == subject:
            out.append((event_type, key, envelope["data"]))
    return out


async def _consuming(amqp_url: str) -> None:
    """Wait until supervision consumes its queue: only then are all of its bindings in place (a queue of
    another service bound earlier could take an event alone and the publish would still succeed)."""
    connection = await aio_pika.connect(amqp_url)
    try:
        for _attempt in range(600):
            channel = await connection.channel()
            try:
                queue = await channel.declare_queue("supervision.events", passive=True)
                if queue.declaration_result.consumer_count:
                    return
            except aio_pika.exceptions.ChannelClosed:
                pass
            await asyncio.sleep(0.1)
        raise AssertionError("the supervision service never consumed its queue")
    finally:
        await connection.close()


async def publish(app: FastAPI, data: BaseModel, *, orgcode: str, event_type: str | None = None) -> str:
    """Publish an event through the broker as its producer would; returns its id."""
    kind = type_of(data, event_type)
    envelope: CloudEvent[BaseModel] = CloudEvent(source="/luoshi/test", type=kind, orgcode=orgcode, data=data)
    message = OutgoingMessage(
        envelope.id, kind, routing_key(kind, orgcode), envelope.model_dump_json().encode()
    )
    await eventually(app.state.bus.healthy)  # the service connects in the background at start-up
    await _consuming(app.state.settings.amqp_url)

    async def published() -> bool:
        # Until the service has declared its queue and bindings, a mandatory event is unroutable.
        errors = await app.state.bus.publish([message])
        assert all(e is None or isinstance(e, Unroutable) for e in errors), errors
        return errors == [None]

    await eventually(published)
    return envelope.id


async def eventually(check: Any, seconds: float = 90.0) -> Any:
    """Poll ``await check()`` until truthy."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.2)


@pytest.fixture
def supervision_settings() -> dict[str, Any]:
    return {}


@pytest.fixture
async def supervision(
    postgres_url: str, vhost_amqp_url: str, supervision_settings: dict[str, Any]
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    settings = SupervisionSettings(
        database_url=postgres_url,
        amqp_url=vhost_amqp_url,
        internal_secret=TEST_SECRET,
        **supervision_settings,
    )
    async with running_service(create_app, settings) as (app, client):
        yield app, client


def today() -> date:
    return business_today()
