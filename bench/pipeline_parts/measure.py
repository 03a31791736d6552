"""Measuring: latencies, CPU by process, logged trouble, results, pacing."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

from bench.pipeline_parts.setup import log, now


class Tracker:
    """Start times of events in flight and the latencies of those delivered."""

    def __init__(self) -> None:
        self.reset(0)

    def reset(self, expected: int) -> None:
        self.expected = expected
        self.started: dict[str, float] = {}
        self.latencies: list[float] = []
        self.unknown = 0
        self.first_send = 0.0
        self.last_delivery = 0.0
        self.by_key: dict[str, float] = {}
        self.done = asyncio.Event()
        if expected == 0:
            self.done.set()

    def sent(self, key: str, t0: float) -> None:
        self.started[key] = t0

    def delivered_key(self, key: str, t1: float) -> None:
        """B: the start time was kept here under the event id."""
        t0 = self.started.pop(key, None)
        if t0 is None:
            self.unknown += 1  # a redelivery
            return
        self.by_key[key] = t1 - t0
        self._delivered(t0, t1)

    def delivered_at(self, t0: float, t1: float) -> None:
        """A: the start time travelled in the message."""
        if t0 < self.first_send:
            self.unknown += 1  # left over from the warm-up
            return
        self._delivered(t0, t1)

    def _delivered(self, t0: float, t1: float) -> None:
        self.latencies.append(t1 - t0)
        self.last_delivery = max(self.last_delivery, t1)
        if len(self.latencies) >= self.expected:
            self.done.set()


def _process_seconds(pid: int | str) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CpuMeter.TICK


class CpuMeter:
    """CPU use over a phase, in % of one core: the bench (this process and its consumer child, also apart
    as "producing" and "consuming"), RabbitMQ (beam.smp), PostgreSQL (all its processes, other clients'
    backends included) and everything else on the machine ("other": other users' work)."""

    TICK = os.sysconf("SC_CLK_TCK")
    NAMES: ClassVar[dict[str, str]] = {"beam.smp": "rabbitmq", "postgres": "postgres"}

    def __init__(self, children: Sequence[int] = ()):
        self.children = list(children)

    def sample(self) -> tuple[float, tuple[float, float], dict[str, tuple[str, float]]]:
        cpu = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        busy = (sum(cpu) - cpu[3] - cpu[4]) / self.TICK  # all but idle and iowait
        mine = (time.process_time(), sum(_process_seconds(pid) for pid in self.children))
        processes: dict[str, tuple[str, float]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if who := self.NAMES.get(stat[stat.index("(") + 1 : stat.rindex(")")]):
                fields = stat[stat.rindex(")") + 2 :].split()
                processes[entry.name] = (who, (int(fields[11]) + int(fields[12])) / self.TICK)
        return busy, mine, processes

    def __enter__(self) -> CpuMeter:
        self.start, self.t0 = self.sample(), now()
        return self

    def __exit__(self, *exc: object) -> None:
        (busy1, mine1, procs1), wall = self.sample(), now() - self.t0
        busy0, mine0, procs0 = self.start
        producing, consuming = mine1[0] - mine0[0], mine1[1] - mine0[1]
        used = {"bench": producing + consuming, "rabbitmq": 0.0, "postgres": 0.0}
        for pid, (who, seconds) in procs1.items():  # a process started during the phase counts whole
            used[who] += seconds - procs0.get(pid, (who, 0.0))[1]
        used["other"] = max(0.0, (busy1 - busy0) - sum(used.values()))
        used["producing"], used["consuming"] = producing, consuming
        self.percent = {k: 100.0 * v / wall for k, v in used.items()}


class TroubleCounter(logging.Handler):
    """Counts warnings and errors (a broker restart, a failed publish): a phase with any is not clean."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count, self.first = 0, ""

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        self.first = self.first or f"{record.name}: {record.getMessage()[:100]}"


TROUBLE = TroubleCounter()


@dataclass
class Result:
    name: str
    events: int
    delivered: int
    seconds: float
    latencies: list[float]
    cpu: dict[str, float] = field(default_factory=dict)
    notes: str = ""
    trouble: int = 0

    @property
    def rate(self) -> float:
        return self.delivered / self.seconds if self.seconds > 0 else 0.0

    def cpu_ms_per_event(self) -> str:
        """Where one event's CPU went, in ms: the producing and consuming processes, RabbitMQ, PostgreSQL."""
        if not self.delivered:
            return "?"
        per = {k: v / 100.0 * self.seconds / self.delivered * 1000.0 for k, v in self.cpu.items()}
        parts = ("producing", "consuming", "rabbitmq", "postgres")
        named = ", ".join(f"{k} {per.get(k, 0.0):.2f}" for k in parts)
        return f"{named}; all four {sum(per.get(k, 0.0) for k in parts):.2f}"

    def pct_ms(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000.0 * ordered[min(len(ordered) - 1, int(p / 100.0 * len(ordered)))]


def result_of(name: str, tracker: Tracker, events: int, cpu: CpuMeter, notes: str = "") -> Result:
    seconds = (tracker.last_delivery - tracker.first_send) if tracker.latencies else 0.0
    return Result(name, events, len(tracker.latencies), seconds, list(tracker.latencies), cpu.percent, notes)


@dataclass
class Stage:
    name: str
    events: int
    seconds: float
    cpu: dict[str, float]

    def cpu_ms_per_event(self, who: str = "bench") -> float:
        return self.cpu.get(who, 0.0) / 100.0 * self.seconds / self.events * 1000.0


async def paced(rate: float, seconds: float, fire: Callable[[float], Coroutine[Any, Any, None]]) -> int:
    """Open loop: start event i at start + i/rate in its own task; returns how many were started."""
    count = int(rate * seconds)
    start = now() + 0.05
    tasks: set[asyncio.Task[None]] = set()
    for i in range(count):
        scheduled = start + i / rate
        delay = scheduled - now()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(fire(scheduled))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.gather(*tasks)
    return count


async def wait_done(tracker: Tracker, limit: float, what: str) -> None:
    try:
        await asyncio.wait_for(tracker.done.wait(), limit)
    except TimeoutError:
        log.error(
            "%s: only %d of %d delivered after %.0fs", what, len(tracker.latencies), tracker.expected, limit
        )


def cut_short(sent: int, wanted: int, args: argparse.Namespace) -> str:
    return (
        f"; stopped sending at the {args.max_seconds:g} s limit: {sent} of {wanted} events"
        if sent < wanted
        else ""
    )


def shares(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


class Sink(Protocol):
    """Where a phase's deliveries are counted (``consumers.LocalSink``, ``consumers.ChildSink``)."""

    pids: list[int]

    async def expect(self, count: int) -> None: ...

    async def limit(self, count: int) -> None: ...

    async def wait(self, limit: float, what: str) -> None: ...


@dataclass
class Closed:
    """A throughput phase: events sent, the CPU it took, when the producers were done."""

    sent: int
    cpu: CpuMeter
    committed: float


async def closed_loop(
    sink: Sink,
    tracker: Tracker,
    args: argparse.Namespace,
    producer: Callable[[int, float], Awaitable[int]],
    what: str,
) -> Closed:
    """``args.events`` from ``args.producers`` concurrent producers as fast as they go, each called with
    its share and the deadline (``--max-seconds``) and returning how many it sent; then until delivered."""
    n = args.events
    await sink.expect(n)
    with CpuMeter(sink.pids) as cpu:
        tracker.first_send = now()
        deadline = tracker.first_send + args.max_seconds
        sent = sum(await asyncio.gather(*(producer(s, deadline) for s in shares(n, args.producers))))
        committed = now()
        if sent < n:
            await sink.limit(sent)
        await sink.wait(args.timeout, what)
    return Closed(sent, cpu, committed)


async def open_loop(
    sink: Sink,
    tracker: Tracker,
    args: argparse.Namespace,
    fire: Callable[[float], Coroutine[Any, Any, None]],
    what: str,
) -> tuple[int, CpuMeter]:
    """``args.rate`` events/s for ``args.seconds`` (``paced``), then until delivered."""
    n = int(args.rate * args.seconds)
    await sink.expect(n)
    with CpuMeter(sink.pids) as cpu:
        tracker.first_send = now()
        await paced(args.rate, args.seconds, fire)
        await sink.wait(args.timeout, what)
    return n, cpu
