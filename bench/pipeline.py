"""Raw aio-pika versus the Luoshi event pipeline, side by side on one broker, in one run.

    uv run python bench/pipeline.py [--events N] [--rate R] [--seconds S] [--producers P] [--split]

A. raw aio-pika: persistent, mandatory publishes with publisher confirms, gathered in batches the way
   the outbox relay gathers them, through the ``luoshi.events`` topic exchange into a durable quorum
   queue (same arguments as a service queue: DLX, delivery limit), consumed with prefetch 200 and
   acked one by one. The body carries the send timestamp and is padded to the pipeline body's size.
   Latency: from just before ``basic.publish`` to just after the consumer's ``basic.ack``.

B. the Luoshi pipeline: a producing transaction writes a row and stages a ``tasking.task.assigned.v1``
   event with ``add_event`` and commits -> the commit hook wakes the OutboxRelay -> AmqpBus (confirms)
   -> quorum queue with DLX and delivery limit -> AmqpBus consumer -> EventConsumer (inbox, one
   transaction per batch) whose handler inserts a row. Library defaults everywhere (relay batch 500,
   poll 0.25 s; prefetch 200, consumer batch 100; make_engine's pool, printed), as
   ``luoshi_kit.service`` builds them. Latency: from just before the producing transaction begins
   (before the session is opened and a pooled connection checked out) to just after the consumer's
   transaction committed.

Two load shapes each:
  throughput: N events as fast as possible from P concurrent producers (closed loop); events/s is
    N / (first send -> last delivery). B: one event per producing transaction (``--tx-batch``).
    Producers stop after ``--max-seconds`` (45) so that a slow run stays bounded; N is then what
    was sent (noted in the output).
  paced: R events/s for S seconds, open loop (each event is started at its scheduled time in its own
    task, whether or not earlier ones are done); one event per transaction. Latency is measured from
    the *scheduled* start, so a late start counts against the system (no coordinated omission).

By default producers, relay and consumer share one process and one event loop (uvloop, as
uvicorn[standard] runs the services). ``--split`` runs the consumer side (A's consumer; B's AmqpBus
consumer + EventConsumer) in a child process, as a consuming service runs apart from the producing
one; the clock (CLOCK_MONOTONIC) is the same in both processes.

After the four phases, B's steps are run alone on a backlog (``--stage-events``; 0 skips them): the
producers with no relay, the relay draining the outbox, the consumer draining the queue, and two
what-ifs (the opposite pool pre-ping setting to make_engine's; 10 events per transaction). It shows
what one event costs at each step.

Isolation: vhost ``luoshi_bench`` (created with rabbitmqctl), database ``luoshi_bench`` (dropped and
created, dropped at the end unless ``--keep-db``), queues purged and tables truncated before each
phase. Warnings and errors logged during a phase (a broker restart...) and CPU used by other
processes on the machine are reported: such a run is not clean.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import multiprocessing
import os
import platform
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, ClassVar

import aio_pika
import asyncpg
import sqlalchemy
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from sqlalchemy import MetaData, String, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from luoshi_kit.db import (
    NAMING,
    InboxMixin,
    OutboxMixin,
    ServiceTables,
    UtcDateTime,
    make_engine,
    make_sessionmaker,
    utcnow,
)
from luoshi_kit.messaging.amqp import AmqpBus, declare_topology
from luoshi_kit.messaging.bus import Delivery, OutgoingMessage
from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_kit.messaging.inbox import EventConsumer
from luoshi_kit.messaging.outbox import add_event
from luoshi_kit.messaging.relay import OutboxRelay
from luoshi_kit.messaging.topology import QueueSpec
from luoshi_kit.tracing import child_of
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.registry import EXCHANGE, schema_path, type_of
from luoshi_proto.tasking.v1 import Actor, TaskAssigned, TaskRef

VHOST = "luoshi_bench"
DEFAULT_AMQP = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432"
DATABASE = "luoshi_bench"
EVENT_TYPE = "tasking.task.assigned.v1"
ISSUER, LEAD = "520000000000", "520102000000"
PIPE_SPEC = QueueSpec("bench", (f"{EVENT_TYPE}.#",))
RAW_SPEC = QueueSpec("benchraw", ("bench.raw.#",))
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


@HANDLERS.on(EVENT_TYPE)
async def record_receipt(*, session: AsyncSession, event: CloudEvent[TaskAssigned]) -> None:
    """The consuming handler: one row per event, in the inbox transaction (it never commits)."""
    session.add(BenchReceipt(event_id=event.id, task_id=event.data.task.task_id))


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
        self.by_key: dict[str, float] = {}
        self.done = asyncio.Event()
        if expected == 0:
            self.done.set()

    def sent(self, key: str, t0: float) -> None:
        self.started[key] = t0

    def delivered_key(self, key: str, t1: float) -> None:
        """B: the start time was kept here under the event id."""
        t0 = self.started.pop(key, None)
        if t0 is None:
            self.unknown += 1  # a redelivery
            return
        self.by_key[key] = t1 - t0
        self._delivered(t0, t1)

    def delivered_at(self, t0: float, t1: float) -> None:
        """A: the start time travelled in the message."""
        if t0 < self.first_send:
            self.unknown += 1  # left over from the warm-up
            return
        self._delivered(t0, t1)

    def _delivered(self, t0: float, t1: float) -> None:
        self.latencies.append(t1 - t0)
        self.last_delivery = max(self.last_delivery, t1)
        if len(self.latencies) >= self.expected:
            self.done.set()


def _process_seconds(pid: int | str) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CpuMeter.TICK


class CpuMeter:
    """CPU use over a phase, in % of one core: the bench (this process and its consumer child),
    RabbitMQ (beam.smp), PostgreSQL (all its processes, other clients' backends included) and
    everything else on the machine ("other": other users' work)."""

    TICK = os.sysconf("SC_CLK_TCK")
    NAMES: ClassVar[dict[str, str]] = {"beam.smp": "rabbitmq", "postgres": "postgres"}

    def __init__(self, children: Sequence[int] = ()):
        self.children = list(children)

    def sample(self) -> tuple[float, float, dict[str, tuple[str, float]]]:
        cpu = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        busy = (sum(cpu) - cpu[3] - cpu[4]) / self.TICK  # all but idle and iowait
        mine = time.process_time() + sum(_process_seconds(pid) for pid in self.children)
        processes: dict[str, tuple[str, float]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if who := self.NAMES.get(stat[stat.index("(") + 1 : stat.rindex(")")]):
                fields = stat[stat.rindex(")") + 2 :].split()
                processes[entry.name] = (who, (int(fields[11]) + int(fields[12])) / self.TICK)
        return busy, mine, processes

    def __enter__(self) -> CpuMeter:
        self.start, self.t0 = self.sample(), now()
        return self

    def __exit__(self, *exc: object) -> None:
        (busy1, mine1, procs1), wall = self.sample(), now() - self.t0
        busy0, mine0, procs0 = self.start
        used = {"bench": mine1 - mine0, "rabbitmq": 0.0, "postgres": 0.0}
        for pid, (who, seconds) in procs1.items():  # a process started during the phase counts whole
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


@dataclass
class Stage:
    name: str
    events: int
    seconds: float
    cpu: dict[str, float]

    def cpu_ms_per_event(self, who: str = "bench") -> float:
        return self.cpu.get(who, 0.0) / 100.0 * self.seconds / self.events * 1000.0


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


def cut_short(sent: int, wanted: int, args: argparse.Namespace) -> str:
    return (
        f"; stopped sending at the {args.max_seconds:g} s limit: {sent} of {wanted} events"
        if sent < wanted
        else ""
    )


def shares(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


# ---------------------------------------------------------------------------------------------------
# Setup


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
# Consumers, in this process or in a child process


@dataclass
class Batches:
    """How many events each relay publish / consumer batch carried."""

    count: int = 0
    items: int = 0

    def add(self, size: int) -> None:
        self.count, self.items = self.count + 1, self.items + size

    def reset(self) -> None:
        self.count = self.items = 0

    def __str__(self) -> str:
        return f"{self.count} of mean {self.items / self.count:.1f}" if self.count else "none"


Record = Callable[[Any, float], None]
"""Called once per delivery: (the send time (A) or the event id (B), the delivery time)."""


async def attach_raw_consumer(connection: AbstractRobustConnection, record: Record) -> None:
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=PREFETCH)
    queue = await channel.get_queue(RAW_SPEC.name, ensure=True)

    async def on_message(message: AbstractIncomingMessage) -> None:
        t0 = float(json.loads(message.body)["t"])
        await message.ack()
        record(t0, now())

    await queue.consume(on_message)


async def attach_pipe_consumer(
    bus: AmqpBus, sessionmaker: async_sessionmaker[AsyncSession], record: Record, batches: Batches
) -> None:
    """The consuming side as ``luoshi_kit.service`` wires it, timing each batch's commit."""
    consumer = EventConsumer(service="bench", sessionmaker=sessionmaker, handlers=HANDLERS)

    async def on_batch(deliveries: Sequence[Delivery]) -> None:
        await consumer.handle_batch(deliveries)  # returns once the batch's transaction committed
        t1 = now()
        batches.add(len(deliveries))
        for delivery in deliveries:
            record(delivery.message_id, t1)

    async def on_single(delivery: Delivery) -> None:
        await consumer.handle_one(delivery)
        record(delivery.message_id, now())

    await bus.consume(PIPE_SPEC.service, on_batch, on_single)


class LocalSink:
    """The consumer runs in this process and feeds the tracker itself."""

    def __init__(self, tracker: Tracker):
        self.tracker, self.pids, self.batches = tracker, list[int](), Batches()

    async def expect(self, count: int) -> None:
        self.tracker.reset(count)
        self.batches.reset()

    async def wait(self, limit: float, what: str) -> None:
        await wait_done(self.tracker, limit, what)

    async def limit(self, count: int) -> None:
        """Fewer events than expected were sent (the phase hit its time limit)."""
        self.tracker.expected = count
        if len(self.tracker.latencies) >= count:
            self.tracker.done.set()

    async def close(self) -> None:
        return None


class ChildSink:
    """The consumer runs in a child process that sends back (key, delivery time) once all arrived."""

    def __init__(self, kind: str, tracker: Tracker, process: BaseProcess, conn: Connection):
        self.kind, self.tracker, self.process, self.conn = kind, tracker, process, conn
        self.pids = [process.pid] if process.pid else []
        self.batches = Batches()

    @classmethod
    async def start(cls, kind: str, tracker: Tracker, args: argparse.Namespace) -> ChildSink:
        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe()
        db_url = f"{args.pg}/{DATABASE}"
        process = context.Process(
            target=child_main, args=(kind, args.amqp, db_url, args.loop, child_end), daemon=True
        )
        process.start()
        child_end.close()
        sink = cls(kind, tracker, process, parent_end)
        message = await sink._receive(60)
        if not message or message[0] != "ready":
            await sink.close()
            raise RuntimeError(f"the {kind} consumer process did not start: {message!r}")
        return sink

    async def _receive(self, limit: float) -> tuple[Any, ...] | None:
        if await asyncio.to_thread(self.conn.poll, limit):
            message: tuple[Any, ...] = self.conn.recv()
            return message
        return None

    async def expect(self, count: int) -> None:
        self.tracker.reset(count)
        self.conn.send(("expect", count))

    async def limit(self, count: int) -> None:
        self.tracker.expected = count
        self.conn.send(("limit", count))

    async def wait(self, limit: float, what: str) -> None:
        message = await self._receive(limit)
        if message is None:
            self.conn.send(("report",))
            message = await self._receive(10) or ("report", [], Batches())
            log.error(
                "%s: only %d of %d delivered after %.0fs", what, len(message[1]), self.tracker.expected, limit
            )
        self.batches = message[2]
        feed = self.tracker.delivered_at if self.kind == "raw" else self.tracker.delivered_key
        for key, t1 in message[1]:
            feed(key, t1)

    async def close(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(("stop",))
        await asyncio.to_thread(self.process.join, 30)
        if self.process.is_alive():
            self.process.kill()
        self.conn.close()


class _ChildRecords:
    def __init__(self, conn: Connection, unique: bool):
        self.conn, self.unique, self.batches = conn, unique, Batches()
        self.expect(0)

    def expect(self, count: int) -> None:
        self.expected, self.records, self.seen = count, list[tuple[Any, float]](), set[Any]()
        self.batches.reset()

    def limit(self, count: int) -> None:
        self.expected = count
        if len(self.records) >= count:
            self.report()

    def record(self, key: Any, t1: float) -> None:
        if self.unique:
            if key in self.seen:
                return  # a redelivery
            self.seen.add(key)
        self.records.append((key, t1))
        if self.expected and len(self.records) >= self.expected:
            self.report()

    def report(self) -> None:
        self.conn.send(("done", self.records, self.batches))
        self.expected = 0


def child_main(kind: str, amqp: str, db_url: str, loop: str, conn: Connection) -> None:
    """Entry point of the consumer process (``--split``)."""
    logging.basicConfig(
        level=logging.WARNING, format=f"%(levelname)s [{kind} consumer] %(name)s: %(message)s"
    )
    with asyncio.Runner(loop_factory=loop_factory(loop)) as runner:
        runner.run(_child(kind, amqp, db_url, conn))


async def _child(kind: str, amqp: str, db_url: str, conn: Connection) -> None:
    records = _ChildRecords(conn, unique=kind == "pipe")
    closers: list[Callable[[], Awaitable[Any]]] = []
    try:
        if kind == "raw":
            connection = await aio_pika.connect_robust(amqp)
            closers.append(connection.close)
            await attach_raw_consumer(connection, records.record)
        else:
            engine = make_engine(db_url)
            closers.append(engine.dispose)
            bus = AmqpBus(amqp, specs=[PIPE_SPEC])
            await bus.start()
            closers.append(bus.close)
            maker = make_sessionmaker(engine, TABLES)
            await attach_pipe_consumer(bus, maker, records.record, records.batches)
        conn.send(("ready", os.getpid()))
        while True:
            try:
                message = await asyncio.to_thread(conn.recv)
            except EOFError:
                return
            if message[0] == "expect":
                records.expect(message[1])
            elif message[0] == "limit":
                records.limit(message[1])
            elif message[0] == "report":
                records.report()
            else:
                return
    finally:
        for close in reversed(closers):
            await close()


# ---------------------------------------------------------------------------------------------------
# A. raw aio-pika


class RawBench:
    def __init__(self, body_size: int, args: argparse.Namespace):
        self.body_size, self.args = body_size, args
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
        tracker, args = self.tracker, self.args
        conn = await aio_pika.connect_robust(args.amqp)
        sink: LocalSink | ChildSink = LocalSink(tracker)
        try:
            await purge_queues(conn)
            publish_channel = await conn.channel(publisher_confirms=True, on_return_raises=True)
            exchange = await publish_channel.get_exchange(EXCHANGE, ensure=False)
            if args.split:
                sink = await ChildSink.start("raw", tracker, args)
            else:
                await attach_raw_consumer(conn, tracker.delivered_at)

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
            await sink.expect(WARMUP)
            await publish_batch(WARMUP)
            await sink.wait(30, "raw warm-up")

            if shape == "throughput":
                n, producers, batch = args.events, args.producers, args.raw_batch

                async def producer(count: int) -> int:
                    sent = 0
                    for start in range(0, count, batch):
                        if now() > deadline:
                            break
                        await publish_batch(min(batch, count - start))
                        sent += min(batch, count - start)
                    return sent

                await sink.expect(n)
                with CpuMeter(sink.pids) as cpu:
                    tracker.first_send = now()
                    deadline = tracker.first_send + args.max_seconds
                    sent = sum(await asyncio.gather(*(producer(s) for s in shares(n, producers))))
                    if sent < n:
                        await sink.limit(sent)
                    await sink.wait(args.timeout, "raw throughput")
                return result_of(
                    "A raw aio-pika, throughput",
                    tracker,
                    sent,
                    cpu,
                    f"{producers} producers x gather of {batch} confirmed publishes"
                    + cut_short(sent, n, args),
                )

            async def fire(scheduled: float) -> None:
                await exchange.publish(self.message(scheduled), RAW_KEY, mandatory=True, timeout=10)

            n = int(args.rate * args.seconds)
            await sink.expect(n)
            with CpuMeter(sink.pids) as cpu:
                tracker.first_send = now()
                await paced(args.rate, args.seconds, fire)
                await sink.wait(args.timeout, "raw paced")
            return result_of(
                f"A raw aio-pika, paced {args.rate:g}/s", tracker, n, cpu, "one confirmed publish per event"
            )
        finally:
            await sink.close()
            await conn.close()


# ---------------------------------------------------------------------------------------------------
# B. the Luoshi pipeline


class PipelineBench:
    def __init__(self, args: argparse.Namespace):
        self.args, self.db_url = args, f"{args.pg}/{DATABASE}"
        self.tracker = Tracker()
        self.body_sizes: tuple[int, int] = (0, 0)

    async def produce(
        self, sessionmaker: async_sessionmaker[AsyncSession], events: int, t0: float
    ) -> list[str]:
        """One producing transaction: per event a row and a staged event, then commit."""
        ids = []
        async with sessionmaker() as session, session.begin():
            for _ in range(events):
                data = task_payload()
                session.add(
                    BenchTask(id=data.task.task_id, title=data.task.title, lead_unit=data.task.lead_unit)
                )
                envelope = add_event(
                    session=session, source="tasking", data=data, orgcode=LEAD, subject=data.task.task_id
                )
                self.tracker.sent(envelope.id, t0)
                ids.append(envelope.id)
        return ids

    async def run(self, shape: str) -> Result:
        tracker, args = self.tracker, self.args
        engine = make_engine(self.db_url)
        relay_box: list[OutboxRelay] = []
        sessionmaker = make_sessionmaker(
            engine, TABLES, on_outbox_commit=lambda: relay_box[0].wake() if relay_box else None
        )
        bus = AmqpBus(args.amqp, specs=[PIPE_SPEC])
        relay = OutboxRelay(service="bench", bus=bus, sessionmaker=sessionmaker)
        relay_box.append(relay)
        published = Batches()
        publish = bus.publish

        async def counted_publish(messages: Sequence[OutgoingMessage]) -> list[BaseException | None]:
            published.add(len(messages))
            return await publish(messages)

        bus.publish = counted_publish  # type: ignore[method-assign]
        sink: LocalSink | ChildSink = LocalSink(tracker)
        try:
            await truncate_tables(sessionmaker)
            await bus.start()
            assert bus._connection is not None
            await purge_queues(bus._connection)
            if args.split:
                sink = await ChildSink.start("pipe", tracker, args)
            else:
                await attach_pipe_consumer(bus, sessionmaker, tracker.delivered_key, sink.batches)
            relay.start()

            await sink.expect(WARMUP)
            warm = now()
            await asyncio.gather(*(self.produce(sessionmaker, 1, warm) for _ in range(WARMUP)))
            await sink.wait(30, "pipeline warm-up")

            if shape == "throughput":
                n, producers, per_tx = args.events, args.producers, args.tx_batch

                async def producer(count: int) -> int:
                    sent = 0
                    for start in range(0, count, per_tx):
                        if now() > deadline:
                            break
                        sent += len(await self.produce(sessionmaker, min(per_tx, count - start), now()))
                    return sent

                await sink.expect(n)
                published.reset()
                with CpuMeter(sink.pids) as cpu:
                    tracker.first_send = now()
                    deadline = tracker.first_send + args.max_seconds
                    sent = sum(await asyncio.gather(*(producer(s) for s in shares(n, producers))))
                    committed = now()
                    if sent < n:
                        await sink.limit(sent)
                    await sink.wait(args.timeout, "pipeline throughput")
                produced_rate = sent / (committed - tracker.first_send)
                result = result_of(
                    "B Luoshi pipeline, throughput",
                    tracker,
                    sent,
                    cpu,
                    f"{producers} producers, {per_tx} event(s) per producing transaction; "
                    f"the producers alone committed {produced_rate:.0f} events/s" + cut_short(sent, n, args),
                )
                n = sent
            else:

                async def fire(scheduled: float) -> None:
                    await self.produce(sessionmaker, 1, scheduled)

                n = int(args.rate * args.seconds)
                await sink.expect(n)
                published.reset()
                with CpuMeter(sink.pids) as cpu:
                    tracker.first_send = now()
                    await paced(args.rate, args.seconds, fire)
                    await sink.wait(args.timeout, "pipeline paced")
                result = result_of(
                    f"B Luoshi pipeline, paced {args.rate:g}/s", tracker, n, cpu, "1 event per transaction"
                )
            await relay.stop()
            result.notes += f"; relay publishes: {published}; consumer batches: {sink.batches}"
            await self.check(sessionmaker, n, result)
            return result
        finally:
            await relay.stop()
            await sink.close()
            await bus.close()
            await engine.dispose()

    async def wakeup_probe(self, pairs: int, gap: float) -> str:
        """Pairs of one-event transactions started ``gap`` s apart, 0.4 s between pairs, idle otherwise.

        When the second commit lands while the relay is busy with the first, its wake-up must not be
        lost: its latency should stay near the first's, not jump to the relay's poll interval.
        """
        tracker, args = self.tracker, self.args
        engine = make_engine(self.db_url)
        relay_box: list[OutboxRelay] = []
        sessionmaker = make_sessionmaker(
            engine, TABLES, on_outbox_commit=lambda: relay_box[0].wake() if relay_box else None
        )
        bus = AmqpBus(args.amqp, specs=[PIPE_SPEC])
        relay = OutboxRelay(service="bench", bus=bus, sessionmaker=sessionmaker)
        relay_box.append(relay)
        try:
            await truncate_tables(sessionmaker)
            await bus.start()
            assert bus._connection is not None
            await purge_queues(bus._connection)
            await attach_pipe_consumer(bus, sessionmaker, tracker.delivered_key, Batches())
            relay.start()
            tracker.reset(2 * pairs)
            firsts, seconds = [], []
            for _ in range(pairs):
                first = asyncio.create_task(self.produce(sessionmaker, 1, now()))
                await asyncio.sleep(gap)
                second = asyncio.create_task(self.produce(sessionmaker, 1, now()))
                (a,), (b,) = await asyncio.gather(first, second)
                await asyncio.sleep(0.4)
                firsts.append(tracker.by_key.get(a, float("inf")))
                seconds.append(tracker.by_key.get(b, float("inf")))
        finally:
            await relay.stop()
            await bus.close()
            await engine.dispose()

        def summary(values: list[float]) -> str:
            ordered = sorted(values)
            slow = sum(v > relay.poll_seconds * 0.8 for v in values)
            return (
                f"p50 {1000 * ordered[len(ordered) // 2]:.1f} ms, max {1000 * ordered[-1]:.1f} ms, "
                f"{slow}/{len(values)} over {1000 * relay.poll_seconds * 0.8:.0f} ms"
            )

        return (
            f"wake-up probe, {pairs} pairs of one-event transactions {1000 * gap:g} ms apart:\n"
            f"  first event  {summary(firsts)}\n  second event {summary(seconds)}"
        )

    async def check(self, sessionmaker: async_sessionmaker[AsyncSession], n: int, result: Result) -> None:
        """Every event handled exactly once, none left unsent; and the real size of the bodies."""
        outbox = OutboxEvent
        async with sessionmaker() as session:
            receipts = await session.scalar(select(func.count()).select_from(BenchReceipt))
            unsent = await session.scalar(
                select(func.count()).select_from(outbox).where(outbox.published_at.is_(None))
            )
            low, high = (
                await session.execute(
                    select(func.min(func.octet_length(outbox.body)), func.max(func.octet_length(outbox.body)))
                )
            ).one()
        self.body_sizes = (int(low or 0), int(high or 0))
        if receipts != n + WARMUP or unsent:
            result.notes += f"; CHECK: {receipts} receipts for {n + WARMUP} events, {unsent} unsent"
        if self.tracker.unknown:
            result.notes += f"; {self.tracker.unknown} redeliveries"

    async def stages(self) -> list[Stage]:
        """Each step alone on a backlog, one after the other, in this process: the cost of each step."""
        n, producers, tracker = self.args.stage_events, self.args.producers, self.tracker
        engine = make_engine(self.db_url)
        sessionmaker = make_sessionmaker(engine, TABLES)  # no relay to wake: the outbox fills up
        # What-if: the same pool with the opposite of make_engine's choice of a ping on every checkout.
        pings = pre_pings(engine)
        other_engine = create_async_engine(
            self.db_url, pool_size=10, max_overflow=10, pool_pre_ping=not pings
        )
        other_maker = make_sessionmaker(other_engine, TABLES)
        bus = AmqpBus(self.args.amqp, specs=[PIPE_SPEC])
        relay = OutboxRelay(service="bench", bus=bus, sessionmaker=sessionmaker)
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

        async def drain_queue() -> None:
            await attach_pipe_consumer(bus, sessionmaker, tracker.delivered_key, Batches())
            await wait_done(tracker, self.args.timeout, "stage consumer")

        try:
            await truncate_tables(sessionmaker)
            await bus.start()
            assert bus._connection is not None
            await purge_queues(bus._connection)
            for maker in (sessionmaker, other_maker):  # open the pools' connections first
                await asyncio.gather(*(self.produce(maker, 1, now()) for _ in range(2 * producers)))
            await drain_outbox()
            await purge_queues(bus._connection)
            tracker.reset(n)
            await timed(f"1. producers: {producers} x 1 event/tx", lambda: produce_all(sessionmaker, 1))
            await timed("2. relay drains the outbox", drain_outbox)
            await timed("3. consumer drains the queue", drain_queue)
            await timed(f"1b. as 1, pool_pre_ping={not pings} (what-if)", lambda: produce_all(other_maker, 1))
            await timed("1c. as 1, 10 events/tx (what-if)", lambda: produce_all(sessionmaker, 10))
            return results
        finally:
            await bus.close()
            await engine.dispose()
            await other_engine.dispose()


# ---------------------------------------------------------------------------------------------------
# Report


def machine() -> list[str]:
    lscpu = run_quiet("lscpu")
    model = next(
        (line.split(":", 1)[1].strip() for line in lscpu.splitlines() if line.startswith("Model name")), "?"
    )
    rabbit = run_quiet("rabbitmqctl", "version").splitlines()
    head = run_quiet("git", "rev-parse", "--short", "HEAD")
    dirty = run_quiet("git", "status", "--porcelain", "--", "libs/kit", "proto").splitlines()
    return [
        f"nproc {os.cpu_count()}, CPU {model}, {platform.system()} {platform.release()}",
        f"RabbitMQ {rabbit[-1] if rabbit else '?'}",
        f"Python {platform.python_version()}, aio-pika {aio_pika.__version__}, "
        f"SQLAlchemy {sqlalchemy.__version__}, asyncpg {asyncpg.__version__}",
        f"git HEAD {head}; uncommitted changes in libs/kit or proto: {len(dirty)} file(s)",
    ]


def pre_pings(engine: Any) -> bool:
    return bool(getattr(engine.pool, "_pre_ping", False))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def cpu_cell(cpu: dict[str, float]) -> str:
    return "/".join(f"{cpu.get(k, 0):.0f}" for k in ("bench", "rabbitmq", "postgres", "other"))


def report(results: dict[str, Result], args: argparse.Namespace) -> None:
    header = (
        f"{'phase':<34} {'events':>7} {'deliv.':>7} {'secs':>6} {'events/s':>9} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  cpu% bench/rabbit/pg/other"
    )
    print()
    print(header)
    print("-" * len(header))
    for r in results.values():
        print(
            f"{r.name:<34} {r.events:>7} {r.delivered:>7} {r.seconds:>6.2f} {r.rate:>9.0f} "
            f"{r.pct_ms(50):>8.1f} {r.pct_ms(99):>8.1f} {r.pct_ms(100):>8.1f}  {cpu_cell(r.cpu)}"
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
        f"B {pipe_p.pct_ms(50):.1f}/{pipe_p.pct_ms(99):.1f} (B delivered {pipe_p.rate:.0f}/s)   "
        f"B p99 < {P99_TARGET_MS:g} ms: {verdict(pipe_p.pct_ms(99) < P99_TARGET_MS and complete)}"
    )
    if not complete:
        print("WARNING: some phase did not deliver every event (see above); its verdict is FAIL")
    if troubled := [r.name for r in results.values() if r.trouble]:
        print(f"WARNING: warnings/errors were logged during {', '.join(troubled)}: not a clean run")
    if busy := [
        f"{r.name} {r.cpu.get('other', 0):.0f}%" for r in results.values() if r.cpu.get("other", 0) > 15
    ]:
        print(f"NOTE: other processes used CPU during: {', '.join(busy)} (of 200%): not a quiet machine")


def report_stages(stages: list[Stage], trouble: int) -> None:
    header = f"{'B step, alone on a backlog':<40} {'events/s':>9} {'bench CPU ms/event':>19}  cpu% "
    header += "bench/rabbit/pg/other"
    print(header)
    print("-" * len(header))
    for stage in stages:
        rate = stage.events / stage.seconds if stage.seconds else 0.0
        print(f"{stage.name:<40} {rate:>9.0f} {stage.cpu_ms_per_event():>19.2f}  {cpu_cell(stage.cpu)}")
    total = sum(s.cpu_ms_per_event() for s in stages if s.name[:2] in ("1.", "2.", "3."))
    if total:
        print(
            f"bench CPU per event, steps 1+2+3: {total:.2f} ms -> at most {1000 / total:.0f} events/s "
            "for the whole pipeline on one core"
        )
    if trouble:
        print(f"WARNING: {trouble} warnings/errors logged during the steps: not clean")


async def main(args: argparse.Namespace) -> None:
    began = time.monotonic()
    for line in machine():
        print(line)
    print(await recreate_database(args.pg))
    engine: Any = make_engine(f"{args.pg}/{DATABASE}")
    pool = f"{engine.pool.size()}+{getattr(engine.pool, '_max_overflow', '?')}"
    print(f"make_engine: pool {pool}, pool_pre_ping={pre_pings(engine)}")
    await engine.dispose()
    mode = "consumers in a child process" if args.split else "one process, one event loop"
    print(
        f"date {datetime.now(UTC).isoformat(timespec='seconds')}, loop {args.loop}, {mode}, "
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
    raw = RawBench(body_size, args)
    pipe = PipelineBench(args)
    bench: RawBench | PipelineBench
    results: dict[str, Result] = {}
    stages: list[Stage] = []
    stage_trouble = 0
    probe = ""
    try:
        for shape in ("throughput", "paced"):
            for key, bench in ((f"A-{shape}", raw), (f"B-{shape}", pipe)):
                print(f"running {key} ...", flush=True)
                before, TROUBLE.first = TROUBLE.count, ""
                results[key] = result = await bench.run(shape)
                if TROUBLE.count > before:
                    result.trouble = TROUBLE.count - before
                    result.notes += f"; {result.trouble} warnings/errors logged, first: {TROUBLE.first}"
        if args.wakeup_probe:
            print("running the relay wake-up probe ...", flush=True)
            before = TROUBLE.count
            probe = await pipe.wakeup_probe(args.wakeup_probe, args.probe_gap / 1000)
            if TROUBLE.count > before:
                probe += f"\n  WARNING: {TROUBLE.count - before} warnings/errors logged: not clean"
        if args.stage_events:
            print(f"running B's steps alone ({args.stage_events} events each) ...", flush=True)
            before = TROUBLE.count
            stages = await pipe.stages()
            stage_trouble = TROUBLE.count - before
    finally:
        if not args.keep_db:
            await drop_database(args.pg)
    print(
        f"\nbody: pipeline CloudEvent {pipe.body_sizes[0]}-{pipe.body_sizes[1]} bytes (outbox octet_length), "
        f"raw {len(raw.body(now()))} bytes (padded to the size computed at start, {body_size})"
    )
    report(results, args)
    if stages:
        print()
        report_stages(stages, stage_trouble)
    if probe:
        print()
        print(probe)
    print(f"\nwall time {time.monotonic() - began:.0f}s")


def loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    if name == "uvloop":
        import uvloop

        return uvloop.new_event_loop
    return None


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
        "--max-seconds", type=float, default=45.0, help="throughput phases stop sending after this long"
    )
    parser.add_argument("--split", action="store_true", help="run the consumers in a child process")
    parser.add_argument(
        "--stage-events", type=int, default=3000, help="events per isolated B step (0: skip the steps)"
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="max seconds to wait for a phase to drain"
    )
    parser.add_argument(
        "--wakeup-probe", type=int, default=0, metavar="PAIRS", help="run the relay wake-up probe (0: skip)"
    )
    parser.add_argument("--probe-gap", type=float, default=4.0, help="ms between the two commits of a pair")
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
    with asyncio.Runner(loop_factory=loop_factory(arguments.loop)) as main_runner:
        main_runner.run(main(arguments))
