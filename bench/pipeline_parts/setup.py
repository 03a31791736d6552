"""The bench's tables, event and handler, and its isolation (vhost, database, queues)."""

from __future__ import annotations

import itertools
import logging
import subprocess
import time
from datetime import UTC, date, datetime

from aio_pika.abc import AbstractRobustConnection
from sqlalchemy import MetaData, String, insert, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from luoshi_kit.db import (
    NAMING,
    InboxMixin,
    OutboxMixin,
    ServiceTables,
    UtcDateTime,
    make_engine,
    utcnow,
)
from luoshi_kit.messaging.batch import deferred
from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_kit.messaging.topology import QueueSpec
from luoshi_kit.tracing import child_of
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.registry import schema_path, type_of
from luoshi_proto.tasking.v1 import Actor, TaskAssigned, TaskRef

VHOST = "luoshi_bench"
DEFAULT_AMQP = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432"
DATABASE = "luoshi_bench"
EVENT_TYPE = "tasking.task.assigned.v1"
ISSUER, LEAD = "520000000000", "520102000000"
PIPE_SPEC = QueueSpec("bench", (f"{EVENT_TYPE}.#",))
RAW_SPEC = QueueSpec("benchraw", ("bench.raw.#",))
ANCHOR_SPEC = QueueSpec("benchanchor", ("bench.anchor.#",))
RAW_KEY = "bench.raw.52.01.02"
PREFETCH = 200  # AmqpBus's default, used for the raw consumer too
WARMUP = 300
P99_TARGET_MS = 100.0
RATIO_TARGET = 0.5

log = logging.getLogger("bench")
now = time.perf_counter  # CLOCK_MONOTONIC: one clock for every process on the machine


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class OutboxEvent(OutboxMixin, Base):
    pass


class InboxEvent(InboxMixin, Base):
    pass


TABLES = ServiceTables(base=Base, outbox=OutboxEvent, inbox=InboxEvent)


class BenchTask(Base):
    """The producer's own row, written in the same transaction as the event."""

    __tablename__ = "bench_task"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    lead_unit: Mapped[str] = mapped_column(String(15))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class BenchReceipt(Base):
    """The consumer's effect, written in the inbox transaction."""

    __tablename__ = "bench_receipt"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


_seq = itertools.count(1)


def task_payload() -> TaskAssigned:
    seq = next(_seq)
    return TaskAssigned(
        task=TaskRef(
            task_id=f"T{seq:09d}",
            title=f"bench task {seq:09d}",
            issuing_org=ISSUER,
            lead_unit=LEAD,
            deadline=date(2026, 12, 31),
        ),
        by=Actor(person_id="p-000001", org_code=ISSUER),
        at=datetime.now(UTC),
    )


def pipeline_body_size() -> int:
    """The size of the CloudEvent body ``add_event`` writes for one of our events (built the same way)."""
    data = task_payload()
    envelope: CloudEvent[TaskAssigned] = CloudEvent(
        source="/luoshi/tasking",
        type=type_of(data),
        subject=data.task.task_id,
        orgcode=LEAD,
        dataschema=schema_path(type_of(data)),
        traceparent=child_of(None),
        data=data,
    )
    return len(envelope.model_dump_json().encode())


HANDLERS = HandlerTable()


async def _insert_receipts(session: AsyncSession, rows: list[dict[str, object]]) -> None:
    await session.execute(insert(BenchReceipt), rows)


@HANDLERS.on(EVENT_TYPE)
async def record_receipt(*, session: AsyncSession, event: CloudEvent[TaskAssigned]) -> None:
    """The consuming handler: one row per event, in the inbox transaction (it never commits), written once
    per batch as the services' additive handlers write theirs (``luoshi_kit.messaging.batch``)."""
    row = {"event_id": event.id, "task_id": event.data.task.task_id, "received_at": utcnow()}
    deferred(session, _insert_receipts, list).append(row)


def run_quiet(*cmd: str) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"? ({exc})"
    return (done.stdout + done.stderr).strip()


def setup_vhost() -> None:
    run_quiet("rabbitmqctl", "add_vhost", VHOST)  # "already exists" is fine
    run_quiet("rabbitmqctl", "set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*")


async def recreate_database(pg: str) -> str:
    admin = create_async_engine(f"{pg}/postgres", isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
            await conn.execute(text(f"CREATE DATABASE {DATABASE}"))
            version = str(await conn.scalar(text("SHOW server_version")))
            settings = {
                name: str(await conn.scalar(text(f"SHOW {name}")))
                for name in ("synchronous_commit", "fsync", "shared_buffers")
            }
    finally:
        await admin.dispose()
    engine = make_engine(f"{pg}/{DATABASE}")
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
    finally:
        await engine.dispose()
    return f"PostgreSQL {version} ({', '.join(f'{k}={v}' for k, v in settings.items())})"


async def drop_database(pg: str) -> None:
    admin = create_async_engine(f"{pg}/postgres", isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
    finally:
        await admin.dispose()


async def purge_queues(conn: AbstractRobustConnection) -> None:
    channel = await conn.channel()
    try:
        for spec in (PIPE_SPEC, RAW_SPEC, ANCHOR_SPEC):
            for name in (spec.name, spec.dead_letter_queue):
                queue = await channel.get_queue(name, ensure=True)
                await queue.purge()
    finally:
        await channel.close()


async def truncate_tables(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(text("TRUNCATE outbox, inbox, bench_task, bench_receipt"))
