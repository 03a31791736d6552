"""Correlation across HTTP and AMQP with W3C ``traceparent`` values."""

from __future__ import annotations

import random
import re
from contextvars import ContextVar

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")

current_traceparent: ContextVar[str | None] = ContextVar("current_traceparent", default=None)


def new_traceparent(trace_id: str | None = None) -> str:
    """Ids from ``random.getrandbits``, as OpenTelemetry's ``RandomIdGenerator`` makes them: trace ids
    need to be unique, not secret, and ``secrets`` asks the kernel twice for every event (issue 10)."""
    return f"00-{trace_id or _nonzero_hex(128)}-{_nonzero_hex(64)}-01"


def _nonzero_hex(bits: int) -> str:
    value = 0
    while not value:  # all zeros is not a valid id (W3C Trace Context)
        value = random.getrandbits(bits)  # nosec B311 (ids, not secrets)
    return f"{value:0{bits // 4}x}"


def trace_id_of(traceparent: str | None) -> str | None:
    match = _TRACEPARENT.match(traceparent or "")
    return match.group(1) if match else None


def child_of(traceparent: str | None) -> str:
    """A new span id in the same trace, or a new trace when the parent is missing or malformed."""
    return new_traceparent(trace_id_of(traceparent))


def current_trace_id() -> str | None:
    return trace_id_of(current_traceparent.get())
