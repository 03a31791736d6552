"""Raw aio-pika versus the Luoshi event pipeline and the least a correct one costs, side by side on one
broker, in one run.

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

C. the anchor pipeline (``bench/pipeline_parts/anchor_pipeline.py``): the least a correct outbox pipeline
   costs, in plain asyncpg and aiormq with none of Luoshi's code — one statement writes the row and its
   outbox row, an in-process relay publishes with confirms and marks them (``synchronous_commit=off``),
   the consumer records a batch's ids in an inbox and writes their effect in one statement, then acks.
   It leaves out what Luoshi adds (NOTIFY for other replicas, typed contracts, trace context, dispatch
   by type, metrics): B/C says how far the kit is from that floor, as C/A says how far any correct
   outbox pipeline must be from raw publishing on this machine.

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
import logging
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika

# Run as a script (``python bench/pipeline.py``): the parts are imported from the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.pipeline_parts.anchor import AnchorBench
from bench.pipeline_parts.consumers import loop_factory
from bench.pipeline_parts.luoshi import PipelineBench
from bench.pipeline_parts.measure import TROUBLE, Result, Stage
from bench.pipeline_parts.raw import RawBench
from bench.pipeline_parts.report import machine, pre_pings, report, report_stages
from bench.pipeline_parts.setup import (
    ANCHOR_SPEC,
    DATABASE,
    DEFAULT_AMQP,
    DEFAULT_PG,
    PIPE_SPEC,
    RAW_SPEC,
    drop_database,
    now,
    pipeline_body_size,
    recreate_database,
    setup_vhost,
)
from bench.pipeline_parts.stages import stages as run_stages
from luoshi_cli.serving import tune_gc
from luoshi_kit.db import (
    make_engine,
)
from luoshi_kit.messaging.amqp import declare_topology
from luoshi_kit.settings import KitSettings


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
        f"events {args.events}, producers {args.producers}, rate {args.rate:g}/s x {args.seconds:g}s, "
        f"gc young threshold {args.gc_young_threshold or 'Python default'}"
    )

    conn = await aio_pika.connect_robust(args.amqp)
    try:
        channel = await conn.channel()
        await declare_topology(channel, [PIPE_SPEC, RAW_SPEC, ANCHOR_SPEC])
        await channel.close()
    finally:
        await conn.close()

    body_size = pipeline_body_size()
    raw = RawBench(body_size, args)
    pipe = PipelineBench(args)
    anchor = AnchorBench(body_size, args)
    bench: RawBench | PipelineBench | AnchorBench
    results: dict[str, Result] = {}
    stages: list[Stage] = []
    stage_trouble = 0
    probe = ""
    try:
        for shape in ("throughput", "paced"):
            for key, bench in ((f"A-{shape}", raw), (f"B-{shape}", pipe), (f"C-{shape}", anchor)):
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
            stages = await run_stages(pipe)
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
        "--producer",
        choices=("orm", "statement"),
        default="orm",
        help="B's one-event producing transaction: an ORM row and add_event, committed (orm); or the row "
        "and its event in one statement without a transaction, as tasking writes a task (statement)",
    )
    parser.add_argument(
        "--consumer-linger",
        type=float,
        default=None,
        help="seconds B's consumer waits for a batch to fill (default: the library's, AmqpBus)",
    )
    parser.add_argument(
        "--gc-young-threshold",
        type=int,
        default=KitSettings.model_fields["gc_young_threshold"].default,
        help="the garbage collector as `luoshi serve` sets it, in both processes (0: Python's own)",
    )
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
    tune_gc(arguments.gc_young_threshold)
    with asyncio.Runner(loop_factory=loop_factory(arguments.loop)) as main_runner:
        main_runner.run(main(arguments))
