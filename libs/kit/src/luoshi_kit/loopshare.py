"""Sharing the event loop: while a stretch of synchronous work holds it, no request is read or answered.

A process serves HTTP and consumes events on one loop. A batch of events ran with few real suspensions:
its deliveries parsed and its handlers run (most only defer their writes to the batch's end) with no turn
for the loop in between, so 300 events of 0.5 ms each held it ~150 ms in one stretch, and every request
arriving meanwhile waited that long (tests/integration/test_loop_share.py). Such loops give the loop a
turn once they have held it for a slice; a turn costs a few microseconds.
"""

from __future__ import annotations

import asyncio
import time

SLICE_SECONDS = 0.001


class LoopShare:
    """``await share.turn()`` between the steps of a loop: the event loop gets a turn (it polls its
    sockets and runs what is ready) whenever this loop has run a slice since its last turn."""

    __slots__ = ("_since", "_slice")

    def __init__(self, slice_seconds: float = SLICE_SECONDS) -> None:
        self._slice = slice_seconds
        self._since = time.perf_counter()

    async def turn(self) -> None:
        if time.perf_counter() - self._since >= self._slice:
            await asyncio.sleep(0)
            self._since = time.perf_counter()
