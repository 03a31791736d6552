"""The printed report."""

from __future__ import annotations

import argparse
import os
import platform
from typing import Any

import aio_pika
import asyncpg
import sqlalchemy

from bench.pipeline_parts.measure import Result, Stage
from bench.pipeline_parts.setup import P99_TARGET_MS, RATIO_TARGET, run_quiet


def machine() -> list[str]:
    lscpu = run_quiet("lscpu")
    model = next(
        (line.split(":", 1)[1].strip() for line in lscpu.splitlines() if line.startswith("Model name")), "?"
    )
    rabbit = run_quiet("rabbitmqctl", "version").splitlines()
    head = run_quiet("git", "rev-parse", "--short", "HEAD")
    dirty = run_quiet("git", "status", "--porcelain", "--", "libs/kit", "proto").splitlines()
    return [
        f"nproc {os.cpu_count()}, CPU {model}, {platform.system()} {platform.release()}",
        f"RabbitMQ {rabbit[-1] if rabbit else '?'}",
        f"Python {platform.python_version()}, aio-pika {aio_pika.__version__}, "
        f"SQLAlchemy {sqlalchemy.__version__}, asyncpg {asyncpg.__version__}",
        f"git HEAD {head}; uncommitted changes in libs/kit or proto: {len(dirty)} file(s)",
    ]


def pre_pings(engine: Any) -> bool:
    return bool(getattr(engine.pool, "_pre_ping", False))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def cpu_cell(cpu: dict[str, float]) -> str:
    return "/".join(f"{cpu.get(k, 0):.0f}" for k in ("bench", "rabbitmq", "postgres", "other"))


def report(results: dict[str, Result], args: argparse.Namespace) -> None:
    header = (
        f"{'phase':<34} {'events':>7} {'deliv.':>7} {'secs':>6} {'events/s':>9} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  cpu% bench/rabbit/pg/other"
    )
    print()
    print(header)
    print("-" * len(header))
    for r in results.values():
        print(
            f"{r.name:<34} {r.events:>7} {r.delivered:>7} {r.seconds:>6.2f} {r.rate:>9.0f} "
            f"{r.pct_ms(50):>8.1f} {r.pct_ms(99):>8.1f} {r.pct_ms(100):>8.1f}  {cpu_cell(r.cpu)}"
        )
    print()
    for r in results.values():
        if r.notes:
            print(f"  {r.name}: {r.notes}")
        print(f"    CPU ms per event: {r.cpu_ms_per_event()}")
    raw_t, pipe_t = results["A-throughput"], results["B-throughput"]
    ratio = pipe_t.rate / raw_t.rate if raw_t.rate else 0.0
    raw_p, pipe_p = results["A-paced"], results["B-paced"]
    complete = all(r.delivered == r.events for r in results.values())
    print()
    print(
        f"throughput B/A = {pipe_t.rate:.0f} / {raw_t.rate:.0f} = {ratio:.2f}   "
        f"target >= {RATIO_TARGET}: {verdict(ratio >= RATIO_TARGET and complete)}"
    )
    print(
        f"paced {args.rate:g}/s p50/p99 ms: A {raw_p.pct_ms(50):.1f}/{raw_p.pct_ms(99):.1f}, "
        f"B {pipe_p.pct_ms(50):.1f}/{pipe_p.pct_ms(99):.1f} (B delivered {pipe_p.rate:.0f}/s)   "
        f"B p99 < {P99_TARGET_MS:g} ms: {verdict(pipe_p.pct_ms(99) < P99_TARGET_MS and complete)}"
    )
    if "C-throughput" in results:
        anchor_t, anchor_p = results["C-throughput"], results["C-paced"]
        anchor_ratio = anchor_t.rate / raw_t.rate if raw_t.rate else 0.0
        print(
            f"the anchor pipeline (C), the least a correct outbox pipeline costs: throughput C/A = "
            f"{anchor_t.rate:.0f} / {raw_t.rate:.0f} = {anchor_ratio:.2f}; B/C = "
            f"{pipe_t.rate / anchor_t.rate if anchor_t.rate else 0.0:.2f}; paced p50/p99 ms "
            f"{anchor_p.pct_ms(50):.1f}/{anchor_p.pct_ms(99):.1f}"
        )
    if not complete:
        print("WARNING: some phase did not deliver every event (see above); its verdict is FAIL")
    if troubled := [r.name for r in results.values() if r.trouble]:
        print(f"WARNING: warnings/errors were logged during {', '.join(troubled)}: not a clean run")
    if busy := [
        f"{r.name} {r.cpu.get('other', 0):.0f}%" for r in results.values() if r.cpu.get("other", 0) > 15
    ]:
        print(f"NOTE: other processes used CPU during: {', '.join(busy)} (of 200%): not a quiet machine")


def report_stages(stages: list[Stage], trouble: int) -> None:
    header = f"{'B step, alone on a backlog':<40} {'events/s':>9} {'bench CPU ms/event':>19}  cpu% "
    header += "bench/rabbit/pg/other"
    print(header)
    print("-" * len(header))
    for stage in stages:
        rate = stage.events / stage.seconds if stage.seconds else 0.0
        print(f"{stage.name:<40} {rate:>9.0f} {stage.cpu_ms_per_event():>19.2f}  {cpu_cell(stage.cpu)}")
    total = sum(s.cpu_ms_per_event() for s in stages if s.name[:2] in ("1.", "2.", "3."))
    if total:
        print(
            f"bench CPU per event, steps 1+2+3: {total:.2f} ms -> at most {1000 / total:.0f} events/s "
            "for the whole pipeline on one core"
        )
    if trouble:
        print(f"WARNING: {trouble} warnings/errors logged during the steps: not clean")
