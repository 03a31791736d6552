"""A scoring process killed (SIGKILL) in the middle of consuming a backlog, then restarted: every event counts
exactly once — no entry lost with the uncommitted batch, none doubled by the redelivery."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from luoshi_kit.db import make_sessionmaker
from luoshi_kit.messaging.amqp import AmqpBus
from luoshi_kit.messaging.bus import OutgoingMessage
from luoshi_kit.migrations import upgrade
from luoshi_kit.testing import TEST_SECRET, free_port
from luoshi_kit.timebase import business_today
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.registry import routing_key
from luoshi_scoring.db import TABLES, InboxEvent
from luoshi_scoring.ledger.check import recompute
from luoshi_scoring.ledger.models import PointsEntry
from luoshi_scoring.orgs.models import Org

from . import events as ev
from .conftest import CITY, ORGS

EVENTS = 600


def _start(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "luoshi_cli.main", "serve", "scoring", "--port", str(free_port())]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def _count(maker, model) -> int:
    async with maker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _wait(maker, model, at_least: int, within: float) -> int:
    deadline = asyncio.get_running_loop().time() + within
    while (count := await _count(maker, model)) < at_least:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{model.__tablename__}: {count} < {at_least} after {within}s")
        await asyncio.sleep(0.02)
    return count


async def test_a_consumer_killed_mid_batch_loses_and_doubles_nothing(postgres_url, vhost_amqp_url) -> None:
    await asyncio.to_thread(upgrade, "luoshi_scoring", postgres_url)
    engine = create_async_engine(postgres_url)
    maker = make_sessionmaker(engine, TABLES)
    async with maker() as session, session.begin():
        for code, name, level, parent in ORGS:
            kind = "department" if len(code) > 12 else "government"
            session.add(Org(code=code, name=name, kind=kind, level=level, parent_code=parent, active=True))
    # A backlog waits in the queue before the service first runs (the topology is declared by everyone).
    bus = AmqpBus(vhost_amqp_url)
    await bus.start()
    today = business_today()
    messages = []
    for n in range(EVENTS):
        data = ev.closed(ev.task(f"K-{n}", CITY, today + timedelta(days=1)), today)
        event = CloudEvent(source="/luoshi/test", type="tasking.task.closed.v1", orgcode=CITY, data=data)
        key = routing_key(event.type, CITY)
        messages.append(OutgoingMessage(event.id, event.type, key, event.model_dump_json().encode()))
    assert all(r is None for r in await bus.publish(messages))
    await bus.close()
    env = {
        **os.environ,
        "LUOSHI_DATABASE_URL": postgres_url,
        "LUOSHI_AMQP_URL": vhost_amqp_url,
        "LUOSHI_INTERNAL_SECRET": TEST_SECRET,
        "LUOSHI_LOG_LEVEL": "WARNING",
    }
    process = _start(env)
    try:
        handled_before = await _wait(maker, InboxEvent, 1, 60)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        handled_at_kill = await _count(maker, InboxEvent)
        assert handled_at_kill < EVENTS, "the backlog was gone before the kill: make it longer"
        process = _start(env)
        await _wait(maker, InboxEvent, EVENTS, 120)
    finally:
        process.kill()
        process.wait(10)
    try:
        assert handled_before >= 1
        assert await _count(maker, InboxEvent) == EVENTS
        assert await _count(maker, PointsEntry) == EVENTS
        async with maker() as session:
            assert (await recompute(session=session)).mismatches == []
    finally:
        await engine.dispose()
