"""C. the least a correct outbox pipeline costs: plain asyncpg and aiormq, none of Luoshi's code.

- Producer: one statement writes the row and its outbox row (one statement is its own transaction, so
  the two commit together or not at all), then wakes the relay of its own process.
- Relay (one replica): reads unpublished rows in order, publishes them persistent and mandatory, each
  awaiting its publisher confirm, then marks those confirmed on a connection with
  ``synchronous_commit=off`` (a mark lost in a crash only re-sends, which the inbox absorbs).
- Consumer: prefetch 200, up to 100 deliveries after a 20 ms linger (Luoshi's defaults); one statement
  records their event ids in the inbox (``ON CONFLICT DO NOTHING``) and writes the effect of the new ones,
  then one ack for the batch.

What it leaves out against Luoshi's pipeline: the NOTIFY that wakes other replicas' relays, trace context,
typed payloads checked against their contract, handler dispatch by type, a poison message dead-lettered
alone, metrics. It is the floor under issue 10's §4 ratio, as ``bench/anchor_app.py`` is under §1's.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import aiormq
import asyncpg
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection

from bench.pipeline_parts.setup import now
from luoshi_proto.registry import EXCHANGE

EVENT_TYPE = "bench.anchor.v1"
ROUTING_KEY = "bench.anchor.52.01.02"
LINGER_SECONDS, BATCH = 0.02, 100

DDL = (
    "CREATE TABLE IF NOT EXISTS anchor_task (id text PRIMARY KEY, title text NOT NULL,"
    " lead_unit text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())",
    "CREATE TABLE IF NOT EXISTS anchor_outbox (seq bigserial PRIMARY KEY, id text NOT NULL UNIQUE,"
    " routing_key text NOT NULL, body bytea NOT NULL, published_at timestamptz)",
    "CREATE INDEX IF NOT EXISTS anchor_outbox_unpublished ON anchor_outbox (seq) WHERE published_at IS NULL",
    "CREATE TABLE IF NOT EXISTS anchor_inbox (id text PRIMARY KEY,"
    " received_at timestamptz NOT NULL DEFAULT now())",
    "CREATE TABLE IF NOT EXISTS anchor_receipt (event_id text PRIMARY KEY, task_id text NOT NULL)",
)
TRUNCATE = "TRUNCATE anchor_task, anchor_outbox, anchor_inbox, anchor_receipt"
PRODUCE = (
    "WITH task AS (INSERT INTO anchor_task (id, title, lead_unit) VALUES ($1, $2, $3))"
    " INSERT INTO anchor_outbox (id, routing_key, body) VALUES ($4, $5, $6)"
)
PENDING = (
    "SELECT seq, id, routing_key, body FROM anchor_outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1"
)
MARK = "UPDATE anchor_outbox SET published_at = now() WHERE seq = ANY($1::bigint[])"
RECEIVE = (
    "WITH new AS (INSERT INTO anchor_inbox (id) SELECT unnest($1::text[])"
    " ON CONFLICT DO NOTHING RETURNING id)"
    " INSERT INTO anchor_receipt (event_id, task_id)"
    " SELECT b.id, b.task_id FROM new JOIN unnest($1::text[], $2::text[]) AS b(id, task_id) ON b.id = new.id"
)


def event_body(event_id: str, task_id: str, lead_unit: str, size: int) -> bytes:
    """A CloudEvent's JSON, built per event as a producer must, padded to Luoshi's body size."""
    event = {
        "specversion": "1.0",
        "id": event_id,
        "source": "/luoshi/tasking",
        "type": EVENT_TYPE,
        "subject": task_id,
        "time": datetime.now(UTC).isoformat(),
        "orgcode": lead_unit,
        "data": {"task": {"task_id": task_id, "lead_unit": lead_unit}, "pad": ""},
    }
    head = json.dumps(event, separators=(",", ":")).encode()
    pad = max(0, size - len(head))
    return head[:-3] + b"x" * pad + head[-3:]  # inside "pad":"..."}}


def new_event_id() -> str:
    return str(uuid.uuid4())


async def produce(pool: asyncpg.Pool, relay: AnchorRelay, event_id: str, seq: int, body_size: int) -> None:
    """One event: its row and outbox row in one statement."""
    task_id, lead_unit = f"A{seq:09d}", "520102000000"
    body = event_body(event_id, task_id, lead_unit, body_size)
    async with pool.acquire() as conn:
        await conn.execute(PRODUCE, task_id, f"anchor task {seq:09d}", lead_unit, event_id, ROUTING_KEY, body)
    relay.wake()


class AnchorRelay:
    def __init__(self, url: str, channel: aiormq.abc.AbstractChannel, batch: int = 500):
        self.dsn, self.channel, self.batch = driver_dsn(url), channel, batch
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.conn: asyncpg.Connection | None = None
        self.failed = 0

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self.conn = await asyncpg.connect(self.dsn, server_settings={"synchronous_commit": "off"})
        self._task = asyncio.create_task(self._run(), name="anchor-relay")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.conn:
            await self.conn.close()
            self.conn = None

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.25)
            self._wake.clear()
            while await self.publish_batch() == self.batch:
                pass

    async def publish_batch(self) -> int:
        assert self.conn is not None
        rows = await self.conn.fetch(PENDING, self.batch)
        if not rows:
            return 0
        results = await asyncio.gather(*(self._publish(row) for row in rows), return_exceptions=True)
        confirmed = [row["seq"] for row, result in zip(rows, results, strict=True) if result is True]
        self.failed += len(rows) - len(confirmed)
        if confirmed:
            await self.conn.execute(MARK, confirmed)
        return len(rows)

    async def _publish(self, row: asyncpg.Record) -> bool:
        properties = aiormq.spec.Basic.Properties(
            message_id=row["id"],
            message_type=EVENT_TYPE,
            content_type="application/cloudevents+json",
            delivery_mode=2,
        )
        confirm = await self.channel.basic_publish(
            row["body"],
            exchange=EXCHANGE,
            routing_key=row["routing_key"],
            properties=properties,
            mandatory=True,
            timeout=10,
        )
        return isinstance(confirm, aiormq.spec.Basic.Ack)


async def attach_anchor_consumer(
    connection: AbstractRobustConnection,
    pool: asyncpg.Pool,
    queue_name: str,
    prefetch: int,
    record: Callable[[Any, float], None],
    on_batch: Callable[[int], None],
) -> asyncio.Task[None]:
    """Consume ``queue_name`` in inbox batches; ``record(event id, time committed)`` per event."""
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=prefetch)
    queue = await channel.get_queue(queue_name, ensure=True)
    pending: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
    await queue.consume(pending.put)

    async def work() -> None:
        while True:
            batch = [await pending.get()]
            if pending.qsize() < BATCH - 1:
                await asyncio.sleep(LINGER_SECONDS)
            while len(batch) < BATCH and not pending.empty():
                batch.append(pending.get_nowait())
            tasks = {m.message_id or "": json.loads(m.body)["data"]["task"]["task_id"] for m in batch}
            async with pool.acquire() as conn:
                await conn.execute(RECEIVE, list(tasks), list(tasks.values()))
            committed = now()
            on_batch(len(batch))
            await batch[-1].ack(multiple=True)
            for event_id in tasks:
                record(event_id, committed)

    return asyncio.create_task(work(), name="anchor-consumer")


def driver_dsn(url: str) -> str:
    """asyncpg's DSN for a SQLAlchemy URL (``postgresql+asyncpg://...``)."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def open_pool(url: str, size: int = 20) -> asyncpg.Pool:
    """As make_engine's pool: 20 connections, opened up front; the anchor's tables made if missing."""
    pool = await asyncpg.create_pool(driver_dsn(url), min_size=size, max_size=size)
    async with pool.acquire() as conn:
        for statement in DDL:
            await conn.execute(statement)
    return pool
