"""A. raw aio-pika."""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid

import aio_pika

from bench.pipeline_parts.consumers import ChildSink, LocalSink, attach_raw_consumer
from bench.pipeline_parts.measure import Result, Tracker, closed_loop, cut_short, open_loop, result_of
from bench.pipeline_parts.setup import RAW_KEY, WARMUP, now, purge_queues
from luoshi_proto.registry import EXCHANGE


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
                n, batch = args.events, args.raw_batch

                async def producer(count: int, deadline: float) -> int:
                    sent = 0
                    for start in range(0, count, batch):
                        if now() > deadline:
                            break
                        await publish_batch(min(batch, count - start))
                        sent += min(batch, count - start)
                    return sent

                run = await closed_loop(sink, tracker, args, producer, "raw throughput")
                return result_of(
                    "A raw aio-pika, throughput",
                    tracker,
                    run.sent,
                    run.cpu,
                    f"{args.producers} producers x gather of {batch} confirmed publishes"
                    + cut_short(run.sent, n, args),
                )

            async def fire(scheduled: float) -> None:
                await exchange.publish(self.message(scheduled), RAW_KEY, mandatory=True, timeout=10)

            n, cpu = await open_loop(sink, tracker, args, fire, "raw paced")
            return result_of(
                f"A raw aio-pika, paced {args.rate:g}/s", tracker, n, cpu, "one confirmed publish per event"
            )
        finally:
            await sink.close()
            await conn.close()


# ---------------------------------------------------------------------------------------------------
# B. the Luoshi pipeline
