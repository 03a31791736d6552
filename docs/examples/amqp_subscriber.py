"""Subscribe to Luoshi's events straight from RabbitMQ (docs/amqp-subscribers.md).

Binds a queue of your platform's own (``platform.<name>.events``) to the ``luoshi.events`` topic exchange with
one or more routing patterns and prints every event it receives as one JSON line (CloudEvents 1.0, structured
mode). Routing keys are ``<service>.<entity>.<action>.v<N>.<division path>``, e.g.
``tasking.task.overdue.v1.52.01.02`` — so ``*.*.*.*.52.01.#`` is everything of 贵阳市 (52.01) and below,
``supervision.#`` every supervision event anywhere.

    python docs/examples/amqp_subscriber.py --url amqp://platform-gongwen:…@mq.example:5672/ \\
        --platform gongwen --bind '*.*.*.*.52.01.#'

Needs only ``aio-pika``. The user needs no write right on the exchange (read-only): see
deploy/generate_definitions.py for the permissions Luoshi's deployment gives each platform.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys

import aio_pika

EXCHANGE = "luoshi.events"


async def subscribe(url: str, platform: str, patterns: list[str], *, durable: bool) -> None:
    connection = await aio_pika.connect_robust(url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=50)
        # passive: the exchange is Luoshi's; a subscriber only looks it up (it has no right to declare it).
        exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, passive=True)
        queue = await channel.declare_queue(
            f"platform.{platform}.events", durable=durable, auto_delete=not durable
        )
        for pattern in patterns:
            await queue.bind(exchange, routing_key=pattern)
        print(json.dumps({"bound": patterns, "queue": queue.name}), flush=True)

        async with queue.iterator() as messages:
            async for message in messages:
                async with message.process():  # ack after handling; an exception requeues it
                    event = json.loads(message.body)
                    # Your platform's work goes here. Deduplicate by event["id"]: delivery is at least once.
                    line = {"routing_key": message.routing_key, **event}
                    print(json.dumps(line, ensure_ascii=False), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="amqp://user:password@host:5672/vhost")
    parser.add_argument(
        "--platform", required=True, help="your platform's name (the queue is platform.<name>.events)"
    )
    parser.add_argument("--bind", action="append", required=True, help="a routing pattern (repeatable)")
    parser.add_argument("--transient", action="store_true", help="an auto-delete queue (for trying it out)")
    args = parser.parse_args()
    loop = asyncio.new_event_loop()
    task = loop.create_task(subscribe(args.url, args.platform, args.bind, durable=not args.transient))
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    try:
        loop.run_until_complete(task)
    except asyncio.CancelledError:
        pass
    finally:
        loop.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
