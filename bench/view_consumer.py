"""What the gateway's view consumer costs per task event, in-process against PostgreSQL (no broker).

    uv run python bench/view_consumer.py [--events 3000] [--batch 50]

Feeds ``tasking.task.assigned.v1`` deliveries, then as many ``tasking.task.accepted.v1`` ones, to the
gateway's ``EventConsumer`` in batches the way the AMQP bus hands them over, and prints the process CPU
per event of each (timeline entry, task view, dashboard summaries, inbox row). PostgreSQL's own CPU is
not counted; ``bench/http_paths.py`` measures the consumer inside the whole write path.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from datetime import UTC, date, datetime

from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from luoshi_gateway.db import TABLES
from luoshi_gateway.main import SPEC
from luoshi_kit.db import make_engine, make_sessionmaker
from luoshi_kit.messaging.bus import Delivery
from luoshi_kit.messaging.inbox import EventConsumer
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.tasking.v1 import Actor, TaskAccepted, TaskAssigned, TaskEvent, TaskRef

PG = os.environ.get("LUOSHI_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432")
DATABASE = "luoshi_bench_view_consumer"
UNITS = ["520102000000", "520102001000", "520103000000", "520100000000D01", "520201000000"]
BY = Actor(person_id="u-bench", org_code="520000000000")


def _delivery(event_type: str, task_id: str, n: int) -> Delivery:
    ref = TaskRef(
        task_id=task_id,
        title="压测任务",
        issuing_org="520000000000",
        lead_unit=UNITS[n % len(UNITS)],
        deadline=date(2099, 12, 31),
    )
    now = datetime.now(UTC)
    payload = (TaskAssigned if event_type.endswith("assigned.v1") else TaskAccepted)(task=ref, by=BY, at=now)
    event = CloudEvent[TaskEvent](
        source="/luoshi/tasking", type=event_type, orgcode=ref.lead_unit, subject=task_id, data=payload
    )
    body = event.model_dump_json(serialize_as_any=True).encode()
    return Delivery(message_id=event.id, routing_key=event_type, body=body)


async def _admin(statement: str) -> None:
    engine = create_async_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
    async with engine.connect() as conn:
        await conn.execute(text(statement))
    await engine.dispose()


async def main(events: int, batch: int) -> None:
    await _admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    await _admin(f'CREATE DATABASE "{DATABASE}"')
    engine = make_engine(f"{PG}/{DATABASE}")
    try:
        async with engine.begin() as conn:
            await conn.run_sync(TABLES.base.metadata.create_all)
        consumer = EventConsumer(
            service="gateway", sessionmaker=make_sessionmaker(engine, TABLES), handlers=SPEC.handlers
        )
        tasks = [str(uuid.uuid4()) for _ in range(events)]
        print(f"load {os.getloadavg()[0]:.1f}; {events} events per kind, batches of {batch}")
        for event_type in ("tasking.task.assigned.v1", "tasking.task.accepted.v1"):
            deliveries = [_delivery(event_type, task, n) for n, task in enumerate(tasks)]
            cpu, wall = time.process_time(), time.perf_counter()
            for start in range(0, len(deliveries), batch):
                await consumer.handle_batch(deliveries[start : start + batch])
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            print(
                f"{event_type:<28} CPU {cpu * 1000 / events:.3f} ms/event,"
                f" wall {wall * 1000 / events:.3f} ms/event"
            )
    finally:
        await engine.dispose()
        await _admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.batch))
