"""B's steps alone on a backlog: what one event costs at each step."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from bench.pipeline_parts.consumers import Batches, attach_pipe_consumer, consumer_bus
from bench.pipeline_parts.luoshi import PipelineBench
from bench.pipeline_parts.measure import CpuMeter, Stage, shares, wait_done
from bench.pipeline_parts.report import pre_pings
from bench.pipeline_parts.setup import TABLES, now, purge_queues, truncate_tables
from luoshi_kit.db import (
    make_engine,
    make_sessionmaker,
)
from luoshi_kit.messaging.relay import OutboxRelay


async def stages(bench: PipelineBench) -> list[Stage]:
    """Each step alone on a backlog, one after the other, in this process: the cost of each step."""
    n, producers, tracker = bench.args.stage_events, bench.args.producers, bench.tracker
    engine = make_engine(bench.db_url)
    sessionmaker = make_sessionmaker(engine, TABLES)  # no relay to wake: the outbox fills up
    # What-if: the same pool with the opposite of make_engine's choice of a ping on every checkout.
    pings = pre_pings(engine)
    other_engine = create_async_engine(bench.db_url, pool_size=10, max_overflow=10, pool_pre_ping=not pings)
    other_maker = make_sessionmaker(other_engine, TABLES)
    bus = consumer_bus(bench.args.amqp, bench.args.consumer_linger)
    relay = OutboxRelay(service="bench", bus=bus, sessionmaker=sessionmaker)
    results: list[Stage] = []

    async def timed(name: str, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        with CpuMeter() as cpu:
            began = now()
            await work()
            wall = now() - began
        results.append(Stage(name, n, wall, cpu.percent))

    async def produce_all(
        maker: async_sessionmaker[AsyncSession], per_tx: int, shape: str | None = None
    ) -> None:
        async def producer(count: int) -> None:
            for start in range(0, count, per_tx):
                await bench.produce(maker, min(per_tx, count - start), now(), shape)

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
        await wait_done(tracker, bench.args.timeout, "stage consumer")

    try:
        await truncate_tables(sessionmaker)
        await bus.start()
        assert bus._connection is not None
        await purge_queues(bus._connection)
        for maker in (sessionmaker, other_maker):  # open the pools' connections first
            await asyncio.gather(*(bench.produce(maker, 1, now()) for _ in range(2 * producers)))
        await drain_outbox()
        await purge_queues(bus._connection)
        tracker.reset(n)
        await timed(
            f"1. producers: {producers} x 1 event/tx ({bench.args.producer})",
            lambda: produce_all(sessionmaker, 1),
        )
        await timed("2. relay drains the outbox", drain_outbox)
        await timed("3. consumer drains the queue", drain_queue)
        await timed(f"1b. as 1, pool_pre_ping={not pings} (what-if)", lambda: produce_all(other_maker, 1))
        await timed("1c. as 1, 10 events/tx (what-if)", lambda: produce_all(sessionmaker, 10))
        other = "orm" if bench.args.producer == "statement" else "statement"
        await timed(f"1d. as 1, --producer {other} (what-if)", lambda: produce_all(sessionmaker, 1, other))
        return results
    finally:
        await bus.close()
        await engine.dispose()
        await other_engine.dispose()
