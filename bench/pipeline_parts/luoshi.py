"""B. the Luoshi pipeline: its two load shapes, the wake-up probe and the exactly-once check."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bench.pipeline_parts.consumers import Batches, ChildSink, LocalSink, attach_pipe_consumer, consumer_bus
from bench.pipeline_parts.measure import Result, Tracker, closed_loop, cut_short, open_loop, result_of
from bench.pipeline_parts.setup import (
    DATABASE,
    LEAD,
    TABLES,
    WARMUP,
    BenchReceipt,
    BenchTask,
    OutboxEvent,
    now,
    purge_queues,
    task_payload,
    truncate_tables,
)
from luoshi_kit.db import (
    make_engine,
    make_sessionmaker,
    statement_alone,
)
from luoshi_kit.messaging.amqp import AmqpBus
from luoshi_kit.messaging.bus import OutgoingMessage
from luoshi_kit.messaging.outbox import PendingEvent, add_event, insert_with_event
from luoshi_kit.messaging.relay import OutboxRelay


class PipelineBench:
    def __init__(self, args: argparse.Namespace):
        self.args, self.db_url = args, f"{args.pg}/{DATABASE}"
        self.tracker = Tracker()
        self.body_sizes: tuple[int, int] = (0, 0)

    async def produce(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        events: int,
        t0: float,
        shape: str | None = None,
    ) -> list[str]:
        """One producing transaction: per event a row and a staged event, then commit. The shape
        ``statement`` (``--producer statement``): one event, its row and outbox row written by one
        statement without a transaction, as tasking writes a new task."""
        if (shape or self.args.producer) == "statement" and events == 1:
            return [await self.produce_one_statement(sessionmaker, t0)]
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

    async def produce_one_statement(self, sessionmaker: async_sessionmaker[AsyncSession], t0: float) -> str:
        data = task_payload()
        row = {"id": data.task.task_id, "title": data.task.title, "lead_unit": data.task.lead_unit}
        event = PendingEvent(data, LEAD, data.task.task_id)
        async with sessionmaker() as session:
            statement_alone(session)  # as tasking's create (idempotent, one_statement): no transaction
            envelope = await insert_with_event(
                session=session, model=BenchTask, values=row, source="tasking", event=event
            )
            self.tracker.sent(envelope.id, t0)
        return envelope.id

    def wiring(self) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession], AmqpBus, OutboxRelay]:
        """B's producing side wired as a service wires it: its commits wake the relay."""
        engine = make_engine(self.db_url)
        relay_box: list[OutboxRelay] = []
        sessionmaker = make_sessionmaker(
            engine, TABLES, on_outbox_commit=lambda: relay_box[0].wake() if relay_box else None
        )
        bus = consumer_bus(self.args.amqp, self.args.consumer_linger)
        relay = OutboxRelay(service="bench", bus=bus, sessionmaker=sessionmaker)
        relay_box.append(relay)
        return engine, sessionmaker, bus, relay

    async def run(self, shape: str) -> Result:
        tracker, args = self.tracker, self.args
        engine, sessionmaker, bus, relay = self.wiring()
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

            published.reset()
            if shape == "throughput":
                n, per_tx = args.events, args.tx_batch

                async def producer(count: int, deadline: float) -> int:
                    sent = 0
                    for start in range(0, count, per_tx):
                        if now() > deadline:
                            break
                        sent += len(await self.produce(sessionmaker, min(per_tx, count - start), now()))
                    return sent

                run = await closed_loop(sink, tracker, args, producer, "pipeline throughput")
                produced_rate = run.sent / (run.committed - tracker.first_send)
                result = result_of(
                    "B Luoshi pipeline, throughput",
                    tracker,
                    run.sent,
                    run.cpu,
                    f"{args.producers} producers, {per_tx} event(s) per producing transaction; "
                    f"the producers alone committed {produced_rate:.0f} events/s"
                    + cut_short(run.sent, n, args),
                )
                n = run.sent
            else:

                async def fire(scheduled: float) -> None:
                    await self.produce(sessionmaker, 1, scheduled)

                n, cpu = await open_loop(sink, tracker, args, fire, "pipeline paced")
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
        tracker = self.tracker
        engine, sessionmaker, bus, relay = self.wiring()
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
