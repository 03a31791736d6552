"""Fixtures of scoring's integration tests (real PostgreSQL and RabbitMQ).

- ``scoring`` — the running service and a client, its org replica filled with ``ORGS``;
- ``person(org_code, *roles)`` — the signed identity headers the gateway would add;
- ``publish(app, data, orgcode, event_type=None)`` — an event onto the broker, as tasking or supervision
  would publish it; ``handled(app, *ids)`` waits until the consumer has committed them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import func, select

from luoshi_kit.db import tables_of
from luoshi_kit.messaging.bus import OutgoingMessage, Unroutable
from luoshi_kit.public import PUBLIC_CALLER_HEADER, sign_public_caller
from luoshi_kit.testing import TEST_SECRET, running_service
from luoshi_kit.testing import Person as Person  # the tests import the people from here
from luoshi_kit.testing import person as person
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.gateway.v1 import OrgUpserted
from luoshi_proto.registry import routing_key, type_of
from luoshi_scoring.config import ScoringSettings
from luoshi_scoring.main import create_app
from luoshi_scoring.orgs.models import Org

PROVINCE = "520000000000"  # 贵州省
CITY = "520100000000"  # 贵阳市
OTHER_CITY = "520200000000"  # 六盘水市
THIRD_CITY = "520300000000"  # 遵义市
COUNTY = "520102000000"  # 南明区
SIBLING_COUNTY = "520103000000"  # 云岩区
DEPT = "520000000000D01"  # 省发展改革委
OTHER_DEPT = "520000000000D02"  # 省财政厅

ORGS: list[tuple[str, str, str, str | None]] = [
    (PROVINCE, "贵州省", "province", None),
    (CITY, "贵阳市", "city", PROVINCE),
    (OTHER_CITY, "六盘水市", "city", PROVINCE),
    (THIRD_CITY, "遵义市", "city", PROVINCE),
    (COUNTY, "南明区", "county", CITY),
    (SIBLING_COUNTY, "云岩区", "county", CITY),
    (DEPT, "省发展改革委", "province", PROVINCE),
    (OTHER_DEPT, "省财政厅", "province", PROVINCE),
]


async def add_orgs(app: FastAPI, rows: list[tuple[str, str, str, str | None]] = ORGS) -> None:
    async with app.state.sessionmaker() as session, session.begin():
        for code, name, level, parent in rows:
            kind = "department" if len(code) > 12 else "government"
            session.add(Org(code=code, name=name, kind=kind, level=level, parent_code=parent, active=True))


class Public(Mapping[str, str]):
    """What the gateway adds to a public portal request (the caller's address, signed)."""

    def __getitem__(self, key: str) -> str:
        return {PUBLIC_CALLER_HEADER: sign_public_caller("203.0.113.7", TEST_SECRET)}[key]

    def __iter__(self) -> Iterator[str]:
        return iter([PUBLIC_CALLER_HEADER])

    def __len__(self) -> int:
        return 1


PUBLIC = Public()


async def publish(app: FastAPI, data: BaseModel, orgcode: str, event_type: str | None = None) -> str:
    """Publish one event onto the broker (confirmed) as its producer would; returns its id."""
    kind = type_of(data, event_type)
    event: CloudEvent[BaseModel] = CloudEvent(source="/luoshi/test", type=kind, orgcode=orgcode, data=data)
    return await publish_raw(app, event.id, kind, orgcode, event.model_dump_json().encode())


async def publish_raw(app: FastAPI, event_id: str, kind: str, orgcode: str, body: bytes) -> str:
    message = OutgoingMessage(event_id, kind, routing_key(kind, orgcode), body)
    for _attempt in range(100):  # the topology is declared just after the bus connects
        results = await app.state.bus.publish([message])
        if not isinstance(results[0], Unroutable):
            break
        await asyncio.sleep(0.1)
    assert results == [None], results
    return event_id


async def handled(app: FastAPI, *event_ids: str, within: float = 20.0) -> None:
    inbox = tables_of(app.state.sessionmaker).inbox
    deadline = asyncio.get_running_loop().time() + within
    while True:
        async with app.state.sessionmaker() as session:
            count = await session.scalar(
                select(func.count()).select_from(inbox).where(inbox.event_id.in_(event_ids))
            )
        if count == len(set(event_ids)):
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"only {count} of {len(event_ids)} events handled in {within}s")
        await asyncio.sleep(0.1)


async def count_rows(app: FastAPI, *models: type) -> dict[str, int]:
    async with app.state.sessionmaker() as session:
        return {
            m.__tablename__: int(await session.scalar(select(func.count()).select_from(m)) or 0)  # type: ignore[attr-defined]
            for m in models
        }


async def broker_ready(app: FastAPI, within: float = 20.0) -> None:
    """Until the service consumes: it connects, declares the whole topology, then consumes, in the background
    (as in production). A probe event handled by the consumer proves all three."""
    deadline = asyncio.get_running_loop().time() + within
    while not await app.state.bus.healthy():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the broker did not answer")
        await asyncio.sleep(0.05)
    code, name, level, parent = ORGS[0]
    probe = OrgUpserted(code=code, name=name, kind="government", level=level, parent_code=parent)  # type: ignore[arg-type]
    await handled(app, await publish(app, probe, code), within=within)


def settings_for(postgres_url: str, amqp_url: str) -> ScoringSettings:
    return ScoringSettings(database_url=postgres_url, amqp_url=amqp_url, internal_secret=TEST_SECRET)


@pytest.fixture
async def scoring(postgres_url: str, vhost_amqp_url: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with running_service(create_app, settings_for(postgres_url, vhost_amqp_url)) as (app, client):
        await add_orgs(app)
        await broker_ready(app)
        yield app, client
