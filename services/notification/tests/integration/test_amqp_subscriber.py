"""docs/examples/amqp_subscriber.py, run as another platform would: a read-only user of its own (the
permissions deploy/generate_definitions.py gives every platform), bound to one city's subtree, receives
exactly that subtree's events — and cannot publish to luoshi.events."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aio_pika
import pytest

from luoshi_kit.testing import rabbitmqctl

ROOT = Path(__file__).resolve().parents[4]
EXAMPLE = ROOT / "docs" / "examples" / "amqp_subscriber.py"


def _generator() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "generate_definitions", ROOT / "deploy" / "generate_definitions.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def platform_user(amqp_url: str, vhost_amqp_url: str) -> Iterator[tuple[str, str]]:
    """A platform account with exactly the generated rights, in the test's vhost."""
    vhost = vhost_amqp_url.rsplit("/", 1)[1]
    name = f"it{uuid.uuid4().hex[:8]}"
    rights = _generator().platform_permissions(name, vhost)
    user, password = rights["user"], uuid.uuid4().hex
    rabbitmqctl("add_user", user, password)
    rabbitmqctl("set_permissions", "-p", vhost, user, rights["configure"], rights["write"], rights["read"])
    host = amqp_url.split("@", 1)[1].rstrip("/")
    try:
        yield name, f"amqp://{user}:{password}@{host}/{vhost}"
    finally:
        rabbitmqctl("delete_user", user)


async def test_the_example_subscriber_receives_exactly_one_citys_subtree(
    vhost_amqp_url: str, platform_user
) -> None:
    name, url = platform_user
    connection = await aio_pika.connect_robust(vhost_amqp_url)  # Luoshi's side: the exchange and its events
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange("luoshi.events", aio_pika.ExchangeType.TOPIC, durable=True)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(EXAMPLE),
            "--url",
            url,
            "--platform",
            name,
            "--bind",
            "*.*.*.*.52.01.#",
            "--transient",
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=os.environ.copy(),
        )
        try:
            assert process.stdout is not None
            ready = json.loads(await asyncio.wait_for(process.stdout.readline(), 30))
            assert ready == {"bound": ["*.*.*.*.52.01.#"], "queue": f"platform.{name}.events"}
            keys = {
                "tasking.task.assigned.v1.52.01": True,  # 贵阳市 itself
                "tasking.task.overdue.v1.52.01.02": True,  # 南明区
                "supervision.urge.issued.v1.52.01.02.001": True,  # a township of it
                "tasking.task.assigned.v1.52.03": False,  # 遵义市
                "scoring.ranking.published.v1.52": False,  # the province
                "tasking.task.assigned.v1.52.010": False,  # not a division path of 52.01
            }
            for key in keys:
                body = json.dumps({"id": key, "type": key.rsplit(".v1", 1)[0] + ".v1", "data": {}}).encode()
                await exchange.publish(aio_pika.Message(body), routing_key=key)
            received = []
            for _ in range(sum(keys.values())):
                received.append(
                    json.loads(await asyncio.wait_for(process.stdout.readline(), 15))["routing_key"]
                )
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(process.stdout.readline(), 1.5)
            assert sorted(received) == sorted(k for k, inside in keys.items() if inside)
        finally:
            process.terminate()
            await process.wait()

    # Read-only: the platform's user cannot publish into luoshi.events.
    theirs = await aio_pika.connect_robust(url)
    async with theirs:
        channel = await theirs.channel(publisher_confirms=True)
        theirs_exchange = await channel.get_exchange("luoshi.events", ensure=False)
        with pytest.raises(aio_pika.exceptions.ChannelClosed, match=r"ACCESS_REFUSED|access"):
            await theirs_exchange.publish(
                aio_pika.Message(b"{}"), routing_key="tasking.task.assigned.v1.52.01"
            )
