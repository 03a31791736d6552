"""Raw aio-pika versus the Luoshi event pipeline, side by side on one broker, in one run.

    uv run python bench/pipeline.py [--events N] [--rate R] [--seconds S] [--producers P]

A. raw aio-pika: persistent, mandatory publishes with publisher confirms, gathered in batches the way
   the outbox relay gathers them, through the ``luoshi.events`` topic exchange into a durable quorum
   queue (same arguments as a service queue: DLX, delivery limit), consumed with prefetch 200 and
   acked one by one. The body carries the send timestamp and is padded to the pipeline body's size.
   Latency: from just before ``basic.publish`` to just after the consumer's ``basic.ack``.

B. the Luoshi pipeline: a producing transaction writes a row and stages a ``tasking.task.assigned.v1``
   event with ``add_event`` and commits -> the commit hook wakes the OutboxRelay -> AmqpBus (confirms)
   -> quorum queue with DLX and delivery limit -> AmqpBus consumer -> EventConsumer (inbox, one
   transaction per batch) whose handler inserts a row. Library defaults everywhere (relay batch 500,
   poll 0.25 s; prefetch 200, consumer batch 100), as ``luoshi_kit.service`` builds them.
   Latency: from just before the producing transaction begins (before the session is opened and a
   pooled connection checked out) to just after the consumer's transaction has committed.

Two load shapes each:
  throughput: N events as fast as possible from P concurrent producers (closed loop); events/s is
    N / (first send -> last delivery).
  paced: R events/s for S seconds, open loop (each event is started at its scheduled time in its own
    task, whether or not earlier ones are done). Its latency is measured from the *scheduled* start,
    so a late start counts against the system (no coordinated omission).

Isolation: vhost ``luoshi_bench`` (created with rabbitmqctl), database ``luoshi_bench`` (dropped and
created), queues purged and tables truncated before each phase; everything runs in this one process
on one event loop (uvloop by default, as uvicorn[standard] runs the services).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import platform
import subprocess
import time
import uuid
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar

import aio_pika
import asyncpg
import sqlalchemy
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from sqlalchemy import String, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, make_base, make_engine, make_sessionmaker, utcnow
from luoshi_kit.messaging.amqp import AmqpBus, declare_topology
from luoshi_kit.messaging.bus import Delivery
from luoshi_kit.messaging.inbox import EventConsumer
from luoshi_kit.messaging.outbox import add_event
from luoshi_kit.messaging.relay import OutboxRelay
from luoshi_kit.messaging.topology import QueueSpec
from luoshi_kit.tracing import child_of
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.registry import EXCHANGE, schema_path, type_of
from luoshi_proto.tasking.v1 import TaskAssigned

VHOST = "luoshi_bench"
DEFAULT_AMQP = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432"
DATABASE = "luoshi_bench"
EVENT_TYPE = "tasking.task.assigned.v1"
ISSUER, LEAD = "520000000000", "520102000000"
PIPE_SPEC = QueueSpec("bench", (f"{EVENT_TYPE}.#",))
RAW_SPEC = QueueSpec("benchraw", ("bench.raw.#",))
RAW_KEY = "bench.raw.52.01.02"
WARMUP = 300
P99_TARGET_MS = 100.0
RATIO_TARGET = 0.5

log = logging.getLogger("bench")
now = time.perf_counter  # CLOCK_MONOTONIC: one clock for producers and consumers in this process

Base: Any = make_base()


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
        task_id=f"T{seq:09d}",
        title=f"bench task {seq:09d}",
        issuing_org=ISSUER,
        lead_unit=LEAD,
        deadline=date(2026, 12, 31),
        assigned_by="p-000001",
        assigned_at=datetime.now(UTC),
    )


def pipeline_body_size() -> int:
    """The size of the CloudEvent body ``add_event`` writes for one of our events (built the same way)."""
    data = task_payload()
    envelope: CloudEvent[TaskAssigned] = CloudEvent(
        source="/luoshi/tasking",
        type=type_of(data),
        subject=data.task_id,
        orgcode=LEAD,
        dataschema=schema_path(type_of(data)),
        traceparent=child_of(None),
        data=data,
    )
    return len(envelope.model_dump_json().encode())


# ---------------------------------------------------------------------------------------------------
# Measurement


class Tracker:
    """Start times of events in flight and the latencies of those delivered."""

    def __init__(self) -> None:
        self.reset(0)

    def reset(self, expected: int) -> None:
        self.expected = expected
        self.started: dict[str, float] = {}
        self.latencies: list[float] = []
        self.unknown = 0
        self.first_send = 0.0
        self.last_delivery = 0.0
        self.done = asyncio.Event()
        if expected == 0:
            self.done.set()

    def sent(self, key: str, t0: float) -> None:
        self.started[key] = t0

    def delivered_key(self, key: str, t1: float) -> None:
        t0 = self.started.pop(key, None)
        if t0 is None:
            self.unknown += 1  # a redelivery or an event of an earlier phase
            return
        self._delivered(t0, t1)

    def delivered_at(self, t0: float, t1: float) -> None:
        if t0 < self.first_send:
            self.unknown += 1
            return
        self._delivered(t0, t1)

    def _delivered(self, t0: float, t1: float) -> None:
        self.latencies.append(t1 - t0)
        self.last_delivery = max(self.last_delivery, t1)
        if len(self.latencies) >= self.expected:
            self.done.set()


class CpuMeter:
    """CPU use over a phase, in % of one core: this process, RabbitMQ (beam.smp), PostgreSQL (all its
    processes, other users' backends included) and everything else on the machine ("other")."""

    TICK = os.sysconf("SC_CLK_TCK")
    NAMES: ClassVar[dict[str, str]] = {"beam.smp": "rabbitmq", "postgres": "postgres"}

    @classmethod
    def sample(cls) -> tuple[float, float, dict[str, tuple[str, float]]]:
        cpu = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        busy = (sum(cpu) - cpu[3] - cpu[4]) / cls.TICK  # all but idle and iowait
        processes: dict[str, tuple[str, float]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if who := cls.NAMES.get(stat[stat.index("(") + 1 : stat.rindex(")")]):
                fields = stat[stat.rindex(")") + 2 :].split()
                processes[entry.name] = (who, (int(fields[11]) + int(fields[12])) / cls.TICK)
        return busy, time.process_time(), processes

    def __enter__(self) -> CpuMeter:
        self.start, self.t0 = self.sample(), now()
        return self

    def __exit__(self, *exc: object) -> None:
        (busy1, mine1, procs1), wall = self.sample(), now() - self.t0
        busy0, mine0, procs0 = self.start
        used = {"bench": mine1 - mine0, "rabbitmq": 0.0, "postgres": 0.0}
        for pid, (who, seconds) in procs1.items():  # a process that started during the phase counts whole
            used[who] += seconds - procs0.get(pid, (who, 0.0))[1]
        used["other"] = max(0.0, (busy1 - busy0) - sum(used.values()))
        self.percent = {k: 100.0 * v / wall for k, v in used.items()}


class TroubleCounter(logging.Handler):
    """Counts warnings and errors (a broker restart, a failed publish): a phase with any is not clean."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count, self.first = 0, ""

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        self.first = self.first or f"{record.name}: {record.getMessage()[:100]}"


TROUBLE = TroubleCounter()


@dataclass
class Result:
    name: str
    events: int
    delivered: int
    seconds: float
    latencies: list[float]
    cpu: dict[str, float] = field(default_factory=dict)
    notes: str = ""
    trouble: int = 0

    @property
    def rate(self) -> float:
        return self.delivered / self.seconds if self.seconds > 0 else 0.0

    def pct_ms(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000.0 * ordered[min(len(ordered) - 1, int(p / 100.0 * len(ordered)))]


def result_of(name: str, tracker: Tracker, events: int, cpu: CpuMeter, notes: str = "") -> Result:
    seconds = (tracker.last_delivery - tracker.first_send) if tracker.latencies else 0.0
    return Result(name, events, len(tracker.latencies), seconds, list(tracker.latencies), cpu.percent, notes)


async def paced(rate: float, seconds: float, fire: Callable[[float], Coroutine[Any, Any, None]]) -> int:
    """Open loop: start event i at start + i/rate in its own task; returns how many were started."""
    count = int(rate * seconds)
    start = now() + 0.05
    tasks: set[asyncio.Task[None]] = set()
    for i in range(count):
        scheduled = start + i / rate
        delay = scheduled - now()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(fire(scheduled))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.gather(*tasks)
    return count


async def wait_done(tracker: Tracker, limit: float, what: str) -> None:
    try:
        await asyncio.wait_for(tracker.done.wait(), limit)
    except TimeoutError:
        log.error(
            "%s: only %d of %d delivered after %.0fs", what, len(tracker.latencies), tracker.expected, limit
        )


# ---------------------------------------------------------------------------------------------------
# Setup


def run_quiet(*cmd: str) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
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
        for spec in (PIPE_SPEC, RAW_SPEC):
            for name in (spec.name, spec.dead_letter_queue):
                queue = await channel.get_queue(name, ensure=True)
                await queue.purge()
    finally:
        await channel.close()


async def truncate_tables(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(text("TRUNCATE outbox, inbox, bench_task, bench_receipt"))


# ---------------------------------------------------------------------------------------------------
# A. raw aio-pika


class RawBench:
    def __init__(self, amqp: str, body_size: int, args: argparse.Namespace):
        self.amqp, self.body_size, self.args = amqp, body_size, args
        self.tracker = Tracker()

    def body(self, t0: float) -> bytes:
        head = json.dumps({"t": t0, "id": str(uuid.uuid4()), "pad": ""}).encode()
        pad = max(0, self.body_size - len(head))
        return head[:-2] + b"x" * pad + head[-2:]

    def message(self, t0: float) -> aio_pika.Message:
        return aio_pika.Message(
            self.body(t0),
            message_id=str(uuid.uuid4()),
            type="bench.raw",
            content_type="application/cloudevents+json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers={},
        )

    async def run(self, shape: str) -> Result:
        tracker = self.tracker
        conn = await aio_pika.connect_robust(self.amqp)
        try:
            await purge_queues(conn)
            publish_channel = await conn.channel(publisher_confirms=True, on_return_raises=True)
            exchange = await publish_channel.get_exchange(EXCHANGE, ensure=False)
            consume_channel = await conn.channel()
            await consume_channel.set_qos(prefetch_count=200)
            queue = await consume_channel.get_queue(RAW_SPEC.name, ensure=True)

            async def on_message(message: AbstractIncomingMessage) -> None:
                t0 = float(json.loads(message.body)["t"])
                await message.ack()
                tracker.delivered_at(t0, now())

            await queue.consume(on_message)

            async def publish_batch(size: int) -> None:
                t0 = now()
                results = await asyncio.gather(
                    *(
                        exchange.publish(self.message(t0), RAW_KEY, mandatory=True, timeout=10)
                        for _ in range(size)
                    ),
                    return_exceptions=True,
                )
                if errors := [r for r in results if isinstance(r, BaseException)]:
                    raise RuntimeError(f"{len(errors)} raw publishes failed: {errors[0]!r}")

            # Warm-up (not measured): connections, channels, queue leader, the code paths.
            tracker.reset(WARMUP)
            await publish_batch(WARMUP)
            await wait_done(tracker, 30, "raw warm-up")

            if shape == "throughput":
                n, producers, batch = self.args.events, self.args.producers, self.args.raw_batch
                tracker.reset(n)
                tracker.first_send = now()

                async def producer(count: int) -> None:
                    for start in range(0, count, batch):
                        await publish_batch(min(batch, count - start))

                with CpuMeter() as cpu:
                    await asyncio.gather(*(producer(s) for s in shares(n, producers)))
                    await wait_done(tracker, self.args.timeout, "raw throughput")
                return result_of(
                    "A raw aio-pika, throughput",
                    tracker,
                    n,
                    cpu,
                    f"{producers} producers x gather of {batch} confirmed publishes",
                )

            n = int(self.args.rate * self.args.seconds)
            tracker.reset(n)
            tracker.first_send = now()

            async def fire(scheduled: float) -> None:
                await exchange.publish(self.message(scheduled), RAW_KEY, mandatory=True, timeout=10)

            with CpuMeter() as cpu:
                await paced(self.args.rate, self.args.seconds, fire)
                await wait_done(tracker, self.args.timeout, "raw paced")
            return result_of(
                f"A raw aio-pika, paced {self.args.rate:g}/s",
                tracker,
                n,
                cpu,
                "one confirmed publish per event",
            )
        finally:
            await conn.close()


# ---------------------------------------------------------------------------------------------------
# B. the Luoshi pipeline


class PipelineBench:
    def __init__(self, amqp: str, pg: str, args: argparse.Namespace):
        self.amqp, self.db_url, self.args = amqp, f"{pg}/{DATABASE}", args
        self.tracker = Tracker()
        self.body_sizes: tuple[int, int] = (0, 0)

    async def handle(self, *, session: AsyncSession, event: CloudEvent[TaskAssigned]) -> None:
        session.add(BenchReceipt(event_id=event.id, task_id=event.data.task_id))

    async def produce(self, sessionmaker: async_sessionmaker[AsyncSession], events: int, t0: float) -> None:
        """One producing transaction: per event a row and a staged event, then commit."""
        async with sessionmaker() as session, session.begin():
            for _ in range(events):
                data = task_payload()
                session.add(BenchTask(id=data.task_id, title=data.title, lead_unit=data.lead_unit))
                envelope = add_event(
                    session=session, source="tasking", data=data, orgcode=LEAD, subject=data.task_id
                )
                self.tracker.sent(envelope.id, t0)

    async def run(self, shape: str) -> Result:
        tracker = self.tracker
        engine = make_engine(self.db_url)
        relay_box: list[OutboxRelay] = []
        sessionmaker = make_sessionmaker(
            engine, Base, on_outbox_commit=lambda: relay_box[0].wake() if relay_box else None
        )
        bus = AmqpBus(self.amqp, specs=[PIPE_SPEC])
        relay = OutboxRelay(service="bench", bus=bus, sessionmaker=sessionmaker)
        relay_box.append(relay)
        consumer = EventConsumer(
            service="bench", sessionmaker=sessionmaker, handlers={EVENT_TYPE: self.handle}
        )

        async def on_batch(deliveries: Sequence[Delivery]) -> None:
            await consumer.handle_batch(deliveries)  # returns once the batch's transaction committed
            t1 = now()
            for delivery in deliveries:
                tracker.delivered_key(delivery.message_id, t1)

        async def on_single(delivery: Delivery) -> None:
            await consumer.handle_one(delivery)
            tracker.delivered_key(delivery.message_id, now())

        try:
            await truncate_tables(sessionmaker)
            await bus.start()
            assert bus._connection is not None
            await purge_queues(bus._connection)
            await bus.consume(PIPE_SPEC.service, on_batch, on_single)
            relay.start()

            tracker.reset(WARMUP)
            warm = now()
            await asyncio.gather(*(self.produce(sessionmaker, 1, warm) for _ in range(WARMUP)))
            await wait_done(tracker, 30, "pipeline warm-up")

            if shape == "throughput":
                n, producers, per_tx = self.args.events, self.args.producers, self.args.tx_batch
                tracker.reset(n)

                async def producer(count: int) -> None:
                    for start in range(0, count, per_tx):
                        await self.produce(sessionmaker, min(per_tx, count - start), now())

                with CpuMeter() as cpu:
                    tracker.first_send = now()
                    await asyncio.gather(*(producer(s) for s in shares(n, producers)))
                    committed = now()
                    await wait_done(tracker, self.args.timeout, "pipeline throughput")
                produced_rate = n / (committed - tracker.first_send)
                result = result_of(
                    "B Luoshi pipeline, throughput",
                    tracker,
                    n,
                    cpu,
                    f"{producers} producers, {per_tx} event(s) per producing transaction; "
                    f"producers alone committed {produced_rate:.0f} events/s",
                )
            else:
                n = int(self.args.rate * self.args.seconds)
                tracker.reset(n)
                tracker.first_send = now()

                async def fire(scheduled: float) -> None:
                    await self.produce(sessionmaker, 1, scheduled)

                with CpuMeter() as cpu:
                    await paced(self.args.rate, self.args.seconds, fire)
                    await wait_done(tracker, self.args.timeout, "pipeline paced")
                result = result_of(
                    f"B Luoshi pipeline, paced {self.args.rate:g}/s",
                    tracker,
                    n,
                    cpu,
                    "1 event per transaction",
                )
            await relay.stop()
            async with sessionmaker() as session:
                receipts = await session.scalar(select(func.count()).select_from(BenchReceipt))
                unsent = await session.scalar(
                    select(func.count())
                    .select_from(Base.OutboxEvent)
                    .where(Base.OutboxEvent.published_at.is_(None))
                )
                low, high = (
                    await session.execute(
                        select(
                            func.min(func.octet_length(Base.OutboxEvent.body)),
                            func.max(func.octet_length(Base.OutboxEvent.body)),
                        )
                    )
                ).one()
            self.body_sizes = (int(low or 0), int(high or 0))
            expected_rows = n + WARMUP
            if receipts != expected_rows or unsent:
                result.notes += f"; CHECK: {receipts} receipts for {expected_rows} events, {unsent} unsent"
            if tracker.unknown:
                result.notes += f"; {tracker.unknown} redeliveries"
            return result
        finally:
            await relay.stop()
            await bus.close()
            await engine.dispose()

    async def stages(self) -> list[Stage]:
        """Each step alone on a backlog, one after the other: what one event costs at each step."""
        n, producers, tracker = self.args.stage_events, self.args.producers, self.tracker
        engine = make_engine(self.db_url)
        sessionmaker = make_sessionmaker(engine, Base)  # no relay to wake: the outbox fills up
        # What-if: the same pool without a liveness ping on every checkout (make_engine pings).
        unpinged = create_async_engine(self.db_url, pool_size=10, max_overflow=10, pool_pre_ping=False)
        unpinged_maker = make_sessionmaker(unpinged, Base)
        bus = AmqpBus(self.amqp, specs=[PIPE_SPEC])
        relay = OutboxRelay(service="bench", bus=bus, sessionmaker=sessionmaker)
        consumer = EventConsumer(
            service="bench", sessionmaker=sessionmaker, handlers={EVENT_TYPE: self.handle}
        )
        results: list[Stage] = []

        async def timed(name: str, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
            with CpuMeter() as cpu:
                began = now()
                await work()
                wall = now() - began
            results.append(Stage(name, n, wall, cpu.percent))

        async def produce_all(maker: async_sessionmaker[AsyncSession], per_tx: int) -> None:
            async def producer(count: int) -> None:
                for start in range(0, count, per_tx):
                    await self.produce(maker, min(per_tx, count - start), now())

            await asyncio.gather(*(producer(s) for s in shares(n, producers)))

        async def drain_outbox() -> None:
            while True:
                published, failed = await relay.publish_batch()
                if failed:
                    raise RuntimeError(f"relay: {failed} events not published")
                if not published:
                    return

        async def on_batch(deliveries: Sequence[Delivery]) -> None:
            await consumer.handle_batch(deliveries)
            t1 = now()
            for delivery in deliveries:
                tracker.delivered_key(delivery.message_id, t1)

        async def on_single(delivery: Delivery) -> None:
            await consumer.handle_one(delivery)
            tracker.delivered_key(delivery.message_id, now())

        async def drain_queue() -> None:
            await bus.consume(PIPE_SPEC.service, on_batch, on_single)
            await wait_done(tracker, self.args.timeout, "stage consumer")

        try:
            await truncate_tables(sessionmaker)
            await bus.start()
            assert bus._connection is not None
            await purge_queues(bus._connection)
            for maker in (sessionmaker, unpinged_maker):  # open the pools' connections first
                await asyncio.gather(*(self.produce(maker, 1, now()) for _ in range(2 * producers)))
            await drain_outbox()
            tracker.reset(n)
            await timed(f"1. producers: {producers} x 1 event/tx", lambda: produce_all(sessionmaker, 1))
            await timed("2. relay drains the outbox", drain_outbox)
            await timed("3. consumer drains the queue", drain_queue)
            await timed("1b. as 1, no pool_pre_ping (what-if)", lambda: produce_all(unpinged_maker, 1))
            await timed(f"1c. as 1, {10} events/tx (what-if)", lambda: produce_all(sessionmaker, 10))
            return results
        finally:
            await bus.close()
            await engine.dispose()
            await unpinged.dispose()


def shares(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


@dataclass
class Stage:
    name: str
    events: int
    seconds: float
    cpu: dict[str, float]

    def cpu_ms_per_event(self, who: str = "bench") -> float:
        return self.cpu.get(who, 0.0) / 100.0 * self.seconds / self.events * 1000.0


# ---------------------------------------------------------------------------------------------------
# Report


def machine() -> list[str]:
    lscpu = run_quiet("lscpu")
    model = next(
        (line.split(":", 1)[1].strip() for line in lscpu.splitlines() if line.startswith("Model name")), "?"
    )
    rabbit = run_quiet("rabbitmqctl", "version").splitlines()
    return [
        f"nproc {os.cpu_count()}, CPU {model}, {platform.system()} {platform.release()}",
        f"RabbitMQ {rabbit[-1] if rabbit else '?'}",
        f"Python {platform.python_version()}, aio-pika {aio_pika.__version__}, "
        f"SQLAlchemy {sqlalchemy.__version__}, asyncpg {asyncpg.__version__}",
    ]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(results: dict[str, Result], args: argparse.Namespace) -> None:
    header = (
        f"{'phase':<34} {'events':>7} {'deliv.':>7} {'secs':>6} {'events/s':>9} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  cpu% bench/rabbit/pg/other"
    )
    print()
    print(header)
    print("-" * len(header))
    for r in results.values():
        cpu = "/".join(f"{r.cpu.get(k, 0):.0f}" for k in ("bench", "rabbitmq", "postgres", "other"))
        print(
            f"{r.name:<34} {r.events:>7} {r.delivered:>7} {r.seconds:>6.2f} {r.rate:>9.0f} "
            f"{r.pct_ms(50):>8.1f} {r.pct_ms(99):>8.1f} {r.pct_ms(100):>8.1f}  {cpu}"
        )
    print()
    for r in results.values():
        if r.notes:
            print(f"  {r.name}: {r.notes}")
    raw_t, pipe_t = results["A-throughput"], results["B-throughput"]
    ratio = pipe_t.rate / raw_t.rate if raw_t.rate else 0.0
    raw_p, pipe_p = results["A-paced"], results["B-paced"]
    complete = all(r.delivered == r.events for r in results.values())
    print()
    print(
        f"throughput B/A = {pipe_t.rate:.0f} / {raw_t.rate:.0f} = {ratio:.2f}   "
        f"target >= {RATIO_TARGET}: {verdict(ratio >= RATIO_TARGET and complete)}"
    )
    print(
        f"paced {args.rate:g}/s p50/p99 ms: A {raw_p.pct_ms(50):.1f}/{raw_p.pct_ms(99):.1f}, "
        f"B {pipe_p.pct_ms(50):.1f}/{pipe_p.pct_ms(99):.1f}   "
        f"B p99 < {P99_TARGET_MS:g} ms: {verdict(pipe_p.pct_ms(99) < P99_TARGET_MS and complete)}"
    )
    if not complete:
        print("WARNING: some phase did not deliver every event (see above); its verdict is FAIL")
    if troubled := [r.name for r in results.values() if r.trouble]:
        print(f"WARNING: warnings/errors were logged during {', '.join(troubled)}: not a clean run")
    if busy := [
        f"{r.name} {r.cpu.get('other', 0):.0f}%" for r in results.values() if r.cpu.get("other", 0) > 15
    ]:
        print(f"NOTE: other processes used CPU during: {', '.join(busy)} (of 200%)")


def report_stages(stages: list[Stage], trouble: int) -> None:
    header = f"{'B stage, alone on a backlog':<40} {'events/s':>9} {'bench CPU ms/event':>19}  cpu% "
    header += "bench/rabbit/pg/other"
    print(header)
    print("-" * len(header))
    for stage in stages:
        cpu = "/".join(f"{stage.cpu.get(k, 0):.0f}" for k in ("bench", "rabbitmq", "postgres", "other"))
        rate = stage.events / stage.seconds if stage.seconds else 0.0
        print(f"{stage.name:<40} {rate:>9.0f} {stage.cpu_ms_per_event():>19.2f}  {cpu}")
    total = sum(s.cpu_ms_per_event() for s in stages if s.name[:2] in ("1.", "2.", "3."))
    print(
        f"bench-process CPU per event, steps 1+2+3: {total:.2f} ms -> at most {1000 / total:.0f} events/s "
        "on one core for the whole pipeline in one process"
        if total
        else ""
    )
    if trouble:
        print(f"WARNING: {trouble} warnings/errors logged during the stages: not clean")


async def main(args: argparse.Namespace) -> None:
    began = time.monotonic()
    for line in machine():
        print(line)
    print(await recreate_database(args.pg))
    print(
        f"date {datetime.now(UTC).isoformat(timespec='seconds')}, loop {args.loop}, "
        f"events {args.events}, producers {args.producers}, rate {args.rate:g}/s x {args.seconds:g}s"
    )

    conn = await aio_pika.connect_robust(args.amqp)
    try:
        channel = await conn.channel()
        await declare_topology(channel, [PIPE_SPEC, RAW_SPEC])
        await channel.close()
    finally:
        await conn.close()

    body_size = pipeline_body_size()
    raw = RawBench(args.amqp, body_size, args)
    pipe = PipelineBench(args.amqp, args.pg, args)
    bench: RawBench | PipelineBench
    results: dict[str, Result] = {}
    stages: list[Stage] = []
    stage_trouble = 0
    try:
        for shape in ("throughput", "paced"):
            for key, bench in ((f"A-{shape}", raw), (f"B-{shape}", pipe)):
                print(f"running {key} ...", flush=True)
                before, TROUBLE.first = TROUBLE.count, ""
                results[key] = result = await bench.run(shape)
                if TROUBLE.count > before:
                    result.trouble = TROUBLE.count - before
                    result.notes += f"; {result.trouble} warnings/errors logged, first: {TROUBLE.first}"
        if args.stage_events:
            print(f"running B stages alone ({args.stage_events} events each) ...", flush=True)
            before = TROUBLE.count
            stages = await pipe.stages()
            stage_trouble = TROUBLE.count - before
    finally:
        if not args.keep_db:
            await drop_database(args.pg)
    print(
        f"\nbody: pipeline CloudEvent {pipe.body_sizes[0]}-{pipe.body_sizes[1]} bytes (outbox octet_length), "
        f"raw body {len(raw.body(now()))} bytes (padded to the computed {body_size})"
    )
    report(results, args)
    if stages:
        print()
        report_stages(stages, stage_trouble)
    print(f"\nwall time {time.monotonic() - began:.0f}s")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20000, help="events in the throughput phases")
    parser.add_argument("--rate", type=float, default=500.0, help="events/s in the paced phases")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of the paced phases")
    parser.add_argument("--producers", type=int, default=8, help="concurrent producers (throughput)")
    parser.add_argument("--raw-batch", type=int, default=50, help="publishes gathered per raw producer batch")
    parser.add_argument(
        "--tx-batch", type=int, default=1, help="events per producing transaction (B throughput)"
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="max seconds to wait for a phase to drain"
    )
    parser.add_argument(
        "--stage-events", type=int, default=3000, help="events per isolated B stage (0: skip the stages)"
    )
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop")
    parser.add_argument("--amqp", default=DEFAULT_AMQP)
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server URL without a database")
    parser.add_argument("--keep-db", action="store_true", help="leave the luoshi_bench database behind")
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger().addHandler(TROUBLE)
    setup_vhost()
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None
    if arguments.loop == "uvloop":
        import uvloop

        loop_factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(main(arguments))
