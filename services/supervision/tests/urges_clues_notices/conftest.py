"""Fixtures of supervision's urge, clue and notice tests (real PostgreSQL and RabbitMQ).

- ``supervision`` — the running service and a client for it;
- ``person(org_code, *roles)`` — the signed identity headers the gateway would add;
- ``publish(amqp_url, data, orgcode, event_type)`` — put an event on ``luoshi.events`` as tasking would;
- ``count_rows(app, *models)`` / ``outbox_types(app)`` — to prove what was (not) written.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta
from typing import Any, TypeVar

import aio_pika
import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import func, select

from luoshi_kit.db import tables_of
from luoshi_kit.testing import TEST_SECRET, running_service
from luoshi_kit.testing import Person as Person  # the tests import the people from here
from luoshi_kit.testing import person as person
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.registry import EXCHANGE, routing_key
from luoshi_proto.tasking.v1 import TaskDeadlineAlert, TaskRef
from luoshi_supervision.config import SupervisionSettings
from luoshi_supervision.main import create_app

PROVINCE = "520000000000"  # 贵州省
CITY = "520100000000"  # 贵阳市
COUNTY = "520102000000"  # 南明区
SIBLING_COUNTY = "520103000000"  # 云岩区
TOWNSHIP = "520102001000"  # 新华路街道
T = TypeVar("T")


def settings_for(postgres_url: str, amqp_url: str, **extra: Any) -> SupervisionSettings:
    return SupervisionSettings(
        database_url=postgres_url,
        amqp_url=amqp_url,
        internal_secret=TEST_SECRET,
        urge_scan_seconds=3600,  # tests run the scan themselves
        **extra,
    )


@pytest.fixture
async def supervision(
    postgres_url: str, vhost_amqp_url: str
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with running_service(create_app, settings_for(postgres_url, vhost_amqp_url)) as (app, client):
        yield app, client


def alert(
    task_id: str, *, occurrence: str, lead_unit: str = COUNTY, due: date | None = None
) -> TaskDeadlineAlert:
    deadline = due or date(2026, 11, 2)
    return TaskDeadlineAlert(
        task=TaskRef(
            task_id=task_id, title=f"任务 {task_id}", issuing_org=CITY, lead_unit=lead_unit, deadline=deadline
        ),
        occurrence=occurrence,
        colour="red",
        due=deadline,
        working_days_left=-1,
        progress_percent=10,
        expected_percent=100,
    )


async def publish(
    amqp_url: str, data: BaseModel, orgcode: str, event_type: str, subject: str | None = None
) -> str:
    """Publish one event as its producer's relay would; a new envelope id each call."""
    envelope: CloudEvent[BaseModel] = CloudEvent(
        source="/luoshi/tasking", type=event_type, subject=subject, orgcode=orgcode, data=data
    )
    connection = await aio_pika.connect(amqp_url)
    try:
        for _attempt in range(100):  # the service declares the topology once its bus has started
            channel = await connection.channel()
            try:
                exchange = await channel.get_exchange(EXCHANGE)
                queue = await channel.declare_queue("supervision.events", passive=True)
                if queue.declaration_result.consumer_count:  # consuming: its bindings are in place
                    break
            except aio_pika.exceptions.ChannelClosed:
                pass
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the supervision service never declared its topology")
        await exchange.publish(
            mandatory=True,
            message=aio_pika.Message(
                envelope.model_dump_json().encode(),
                message_id=envelope.id,
                type=event_type,
                content_type="application/cloudevents+json",
            ),
            routing_key=routing_key(event_type, orgcode),
        )
    finally:
        await connection.close()
    return envelope.id


async def eventually(probe: Callable[[], Awaitable[T | None]], within: float = 15.0) -> T:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        value = await probe()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.1)


async def count_rows(app: FastAPI, *models: Any) -> dict[str, int]:
    async with app.state.sessionmaker() as session:
        return {
            m.__tablename__: int(await session.scalar(select(func.count()).select_from(m)) or 0)
            for m in models
        }


async def outbox_types(app: FastAPI) -> list[str]:
    outbox = tables_of(app.state.sessionmaker).outbox
    async with app.state.sessionmaker() as session:
        return list((await session.scalars(select(outbox.event_type).order_by(outbox.created_at))).all())


def problem(response: httpx.Response, status: int, slug: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    if slug:
        assert body["type"] == f"urn:luoshi:problem:{slug}", body
    return body


TOMORROW = date.today() + timedelta(days=1)
