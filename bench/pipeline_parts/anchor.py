"""C. the anchor pipeline (``anchor_pipeline``): its two load shapes, as A's and B's, and its check."""

from __future__ import annotations

import argparse
import asyncio
import itertools

import aio_pika
import aiormq
import asyncpg

from bench.pipeline_parts.anchor_pipeline import (
    TRUNCATE,
    AnchorRelay,
    attach_anchor_consumer,
    new_event_id,
    open_pool,
    produce,
)
from bench.pipeline_parts.consumers import ChildSink, LocalSink
from bench.pipeline_parts.measure import Result, Tracker, closed_loop, cut_short, open_loop, result_of
from bench.pipeline_parts.setup import ANCHOR_SPEC, DATABASE, PREFETCH, WARMUP, now, purge_queues


class AnchorBench:
    def __init__(self, body_size: int, args: argparse.Namespace):
        self.body_size, self.args, self.db_url = body_size, args, f"{args.pg}/{DATABASE}"
        self.tracker = Tracker()
        self._seq = itertools.count(1)

    async def run(self, shape: str) -> Result:
        tracker, args = self.tracker, self.args
        conn = await aio_pika.connect_robust(args.amqp)
        pool = await open_pool(self.db_url)
        sink: LocalSink | ChildSink = LocalSink(tracker)
        worker: asyncio.Task[None] | None = None
        relay: AnchorRelay | None = None
        try:
            await pool.execute(TRUNCATE)
            await purge_queues(conn)
            publish_channel = await conn.channel(publisher_confirms=True)
            underlay = await publish_channel.get_underlay_channel()
            assert isinstance(underlay, aiormq.Channel)
            relay = AnchorRelay(self.db_url, underlay)
            await relay.start()
            if args.split:
                sink = await ChildSink.start("anchor", tracker, args)
            else:
                worker = await attach_anchor_consumer(
                    conn, pool, ANCHOR_SPEC.name, PREFETCH, tracker.delivered_key, sink.batches.add
                )

            async def one(t0: float) -> None:
                event_id = new_event_id()
                tracker.sent(event_id, t0)
                await produce(pool, relay, event_id, next(self._seq), self.body_size)

            await sink.expect(WARMUP)
            warm = now()
            await asyncio.gather(*(one(warm) for _ in range(WARMUP)))
            await sink.wait(30, "anchor warm-up")

            if shape == "throughput":

                async def producer(count: int, deadline: float) -> int:
                    for sent in range(count):
                        if now() > deadline:
                            return sent
                        await one(now())
                    return count

                run = await closed_loop(sink, tracker, args, producer, "anchor throughput")
                result = result_of(
                    "C anchor pipeline, throughput",
                    tracker,
                    run.sent,
                    run.cpu,
                    f"{args.producers} producers, 1 event per producing statement"
                    + cut_short(run.sent, args.events, args),
                )
                n = run.sent
            else:
                n, cpu = await open_loop(sink, tracker, args, one, "anchor paced")
                result = result_of(
                    f"C anchor pipeline, paced {args.rate:g}/s", tracker, n, cpu, "1 event per statement"
                )
            result.notes += f"; consumer batches: {sink.batches}"
            await self.check(pool, relay, n, result)
            return result
        finally:
            if relay:
                await relay.stop()
            if worker:
                worker.cancel()
            await sink.close()
            await pool.close()
            await conn.close()

    async def check(self, pool: asyncpg.Pool, relay: AnchorRelay, n: int, result: Result) -> None:
        """Every event handled exactly once and none left unsent, as B's check (the relay's last marks
        may land just after the consumer's last commit: a second is allowed for them)."""
        receipts = await pool.fetchval("SELECT count(*) FROM anchor_receipt")
        for _ in range(10):
            unsent = await pool.fetchval("SELECT count(*) FROM anchor_outbox WHERE published_at IS NULL")
            if not unsent:
                break
            await asyncio.sleep(0.1)
        if receipts != n + WARMUP or unsent or relay.failed:
            result.notes += (
                f"; CHECK: {receipts} receipts for {n + WARMUP} events, {unsent} unsent, "
                f"{relay.failed} publishes not confirmed"
            )
        if self.tracker.unknown:
            result.notes += f"; {self.tracker.unknown} redeliveries"
