"""Sharing the event loop: while a stretch of synchronous work holds it, no request is read or answered.

A process serves HTTP and consumes events on one loop. A batch of events used to run with few real
suspensions — 100 events parsed, their handlers run (most only defer their writes to the batch's end),
500 outbox rows marshalled as AMQP frames — some 10–30 ms in which the loop polled none of its sockets,
and every request that arrived meanwhile waited that long (issue 10: the gateway's view consumer added
about 12 ms to each proxied write at 16 concurrent requests). Such loops give the loop a turn once they
have held it for a slice; a turn costs a few microseconds.
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
