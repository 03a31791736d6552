"""The consuming side, in this process or in a child process (``--split``)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import multiprocessing
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.pipeline_parts.anchor_pipeline import attach_anchor_consumer, open_pool
from bench.pipeline_parts.measure import Tracker, wait_done
from bench.pipeline_parts.setup import (
    ANCHOR_SPEC,
    DATABASE,
    HANDLERS,
    PIPE_SPEC,
    PREFETCH,
    RAW_SPEC,
    TABLES,
    log,
    now,
)
from luoshi_cli.serving import tune_gc
from luoshi_kit.db import (
    make_engine,
    make_sessionmaker,
)
from luoshi_kit.messaging.amqp import AmqpBus
from luoshi_kit.messaging.bus import Delivery
from luoshi_kit.messaging.inbox import EventConsumer


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
            target=child_main,
            args=(
                *(kind, args.amqp, db_url, args.loop),
                *(args.consumer_linger, args.gc_young_threshold, child_end),
            ),
            daemon=True,
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


def consumer_bus(amqp: str, linger: float | None) -> AmqpBus:
    """B's consuming bus: the library's defaults, but for ``--consumer-linger`` if given."""
    if linger is None:
        return AmqpBus(amqp, specs=[PIPE_SPEC])
    return AmqpBus(amqp, specs=[PIPE_SPEC], linger_seconds=linger)


def child_main(
    kind: str, amqp: str, db_url: str, loop: str, linger: float | None, gc_young: int, conn: Connection
) -> None:
    """Entry point of the consumer process (``--split``)."""
    tune_gc(gc_young)
    logging.basicConfig(
        level=logging.WARNING, format=f"%(levelname)s [{kind} consumer] %(name)s: %(message)s"
    )
    with asyncio.Runner(loop_factory=loop_factory(loop)) as runner:
        runner.run(_child(kind, amqp, db_url, linger, conn))


async def _child(kind: str, amqp: str, db_url: str, linger: float | None, conn: Connection) -> None:
    records = _ChildRecords(conn, unique=kind != "raw")
    closers: list[Callable[[], Awaitable[Any]]] = []
    try:
        if kind == "raw":
            connection = await aio_pika.connect_robust(amqp)
            closers.append(connection.close)
            await attach_raw_consumer(connection, records.record)
        elif kind == "anchor":
            connection = await aio_pika.connect_robust(amqp)
            closers.append(connection.close)
            pool = await open_pool(db_url)
            closers.append(pool.close)
            worker = await attach_anchor_consumer(
                connection, pool, ANCHOR_SPEC.name, PREFETCH, records.record, records.batches.add
            )
            closers.append(lambda: _cancel(worker))
        else:
            engine = make_engine(db_url)
            closers.append(engine.dispose)
            bus = consumer_bus(amqp, linger)
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


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    if name == "uvloop":
        import uvloop

        return uvloop.new_event_loop
    return None
