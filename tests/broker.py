"""Helpers for tests that handle the real broker: reset the topology, stop and restart RabbitMQ."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from luoshi_kit.testing import rabbitmqctl


@contextmanager
def broker_stopped() -> Iterator[None]:
    """``rabbitmqctl stop_app`` for the body; ``start_app`` afterwards even when the body fails."""
    rabbitmqctl("stop_app")
    try:
        yield
    finally:
        rabbitmqctl("start_app")
        rabbitmqctl("await_startup")


def queue_depths(vhost: str = "/") -> dict[str, int]:
    """Messages per queue, ready and unacknowledged together (what passive declares cannot tell)."""
    command = os.environ.get("LUOSHI_TEST_RABBITMQCTL", "rabbitmqctl")
    output = subprocess.run(
        [command, "list_queues", "-q", "-p", vhost, "name", "messages"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    depths = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            depths[parts[0]] = int(parts[1])
    return depths
