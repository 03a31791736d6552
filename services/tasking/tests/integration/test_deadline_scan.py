"""The deadline scan on real PostgreSQL: each alert exactly once across a restart and two replicas."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

import luoshi_tasking.main  # noqa: F401  (registers every table on Base)
from luoshi_kit.db import make_engine, make_sessionmaker
from luoshi_kit.testing import longest_stall
from luoshi_tasking.calendar.rules import WorkCalendar
from luoshi_tasking.db import TABLES, Base
from luoshi_tasking.deadlines import jobs
from luoshi_tasking.deadlines import scan as scan_module
from luoshi_tasking.deadlines.models import DeadlineAlert
from luoshi_tasking.deadlines.rules import DeadlineSettings, iso_week
from luoshi_tasking.deadlines.scan import ScanResult, plan_alerts, scan
from luoshi_tasking.tasks.models import Task

TODAY = date(2026, 6, 10)  # a Wednesday
CAL = WorkCalendar()
RULES = DeadlineSettings()
PROVINCE, COUNTY = "520000000000", "520102000000"
BACKLOG_TASKS = 4000
LONGEST_SCAN_STALL = 0.25  # 4,000 tasks: 560-713 ms in one stretch before, 53-88 ms since (a cold calendar)


def _task(task_id: str, deadline: date, **kw: Any) -> Task:
    values: dict[str, Any] = {
        "title": f"任务 {task_id}",
        "issuing_org": PROVINCE,
        "lead_unit": COUNTY,
        "co_units": [],
        "state": "accepted",
        "created_by": "p1",
        "created_at": datetime(2026, 1, 2, tzinfo=UTC),
        "report_due_dates": [],
        "progress_percent": 0,
    }
    values.update(kw)
    return Task(id=task_id, deadline=deadline, **values)


def fixed_tasks() -> list[Task]:
    return [
        _task("over", date(2026, 6, 5), start_date=date(2026, 4, 1), progress_percent=90),
        _task("soon", date(2026, 6, 12), start_date=date(2026, 6, 1), progress_percent=80),
        _task("lag", date(2026, 6, 30), start_date=date(2026, 4, 1), progress_percent=10),
        _task("lag-created", date(2026, 6, 20), created_at=datetime(2026, 4, 30, 17, tzinfo=UTC)),
        _task("quarterly", date(2026, 12, 31), start_date=date(2026, 1, 5), progress_percent=50),
        _task(
            "explicit",
            date(2026, 9, 30),
            start_date=date(2026, 5, 4),
            progress_percent=30,
            report_due_dates=["2026-05-29", "2026-06-30"],
        ),
        _task(
            "explicit-ok",
            date(2026, 9, 30),
            start_date=date(2026, 5, 4),
            progress_percent=30,
            report_due_dates=["2026-05-29", "2026-06-30"],
            last_report_at=datetime(2026, 5, 20, tzinfo=UTC),
        ),
        _task("json-null", date(2026, 9, 30), start_date=date(2026, 6, 1), report_due_dates=None),
        _task("done", date(2026, 6, 1), start_date=date(2026, 4, 1), state="completed"),
        _task("cancelled", date(2026, 6, 1), start_date=date(2026, 4, 1), state="cancelled"),
    ]


EXPECTED = {
    ("over", "overdue", "2026-06-05"),
    ("soon", "due_soon", "2026-06-12"),
    ("lag", "lagging", iso_week(TODAY)),
    ("lag-created", "lagging", iso_week(TODAY)),
    ("quarterly", "report_missing", "2026-03-31"),
    ("explicit", "report_missing", "2026-05-29"),
}


def random_tasks(count: int, seed: int = 7) -> list[Task]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        start = TODAY - timedelta(days=rng.randint(0, 150))
        deadline = max(start, TODAY - timedelta(days=rng.randint(-200, 60)))
        if deadline <= date(2025, 12, 31):
            deadline = date(2026, 1, 15)
        explicit = [
            (start + timedelta(days=rng.randint(5, 120))).isoformat() for _ in range(rng.randint(0, 3))
        ]
        out.append(
            _task(
                f"r{i:04d}",
                deadline,
                start_date=start if rng.random() < 0.7 else None,
                created_at=datetime.combine(start, datetime.min.time(), UTC)
                + timedelta(hours=rng.randint(0, 23)),
                progress_percent=rng.choice([0, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]),
                state=rng.choice(["assigned", "accepted", "accepted", "returned", "completed", "closed"]),
                report_due_dates=explicit if rng.random() < 0.3 else [],
                last_report_at=None
                if rng.random() < 0.4
                else datetime.combine(TODAY - timedelta(days=rng.randint(1, 120)), datetime.min.time(), UTC),
            )
        )
    return out


async def _engine(url: str) -> AsyncEngine:
    return make_engine(url, pool_size=2)


@pytest.fixture
async def db(postgres_url: str) -> AsyncIterator[str]:
    engine = await _engine(postgres_url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    maker = make_sessionmaker(engine, TABLES)
    async with maker() as session, session.begin():
        session.add_all(fixed_tasks() + random_tasks(400))
    await engine.dispose()
    yield postgres_url


async def run_scan(engine: AsyncEngine, today: date = TODAY) -> ScanResult:
    maker = make_sessionmaker(engine, TABLES)
    async with maker() as session, session.begin():
        return await scan(session=session, today=today, cal=CAL, settings=RULES)


async def markers(engine: AsyncEngine) -> set[tuple[str, str, str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(DeadlineAlert.task_id, DeadlineAlert.kind, DeadlineAlert.occurrence))
        return {(r[0], r[1], r[2]) for r in rows}


async def outbox(engine: AsyncEngine) -> list[tuple[str, str, str]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT event_type, body FROM outbox"))).all()
    out = []
    for event_type, body in rows:
        envelope = json.loads(body)
        kind = event_type.split(".")[2]
        out.append((envelope["subject"], kind, envelope["data"]["occurrence"]))
    return out


async def expected_everything(engine: AsyncEngine, today: date = TODAY) -> set[tuple[str, str, str]]:
    """What the rules call for when every open task is checked in Python (no SQL narrowing)."""
    maker = make_sessionmaker(engine, TABLES)
    async with maker() as session:
        tasks = (await session.scalars(select(Task))).all()
    return {(a.task.id, a.kind, a.occurrence) for a in plan_alerts(tasks, today, CAL, RULES)}


async def test_each_alert_once_across_a_restart(db: str) -> None:
    engine = await _engine(db)
    first = await run_scan(engine)
    await engine.dispose()  # "restart": a new process, a new engine
    engine = await _engine(db)
    second = await run_scan(engine)
    try:
        everything = await expected_everything(engine)
        raised = await markers(engine)
        assert EXPECTED <= raised
        assert raised == everything  # the SQL narrowing misses nothing the rules call for
        assert sum(first.raised.values()) == len(raised) and not first.skipped
        assert sum(second.raised.values()) == 0 and not second.skipped
        events = await outbox(engine)
        assert len(events) == len(set(events)) == len(raised)
        assert set(events) == raised
        assert second.candidates < first.candidates  # raised alerts are no longer candidates
    finally:
        await engine.dispose()


async def test_lagging_is_warned_again_the_next_week(db: str) -> None:
    engine = await _engine(db)
    try:
        await run_scan(engine)
        next_week = TODAY + timedelta(days=7)
        again = await run_scan(engine, next_week)
        assert again.raised["lagging"] > 0
        assert ("lag", "lagging", iso_week(next_week)) in await markers(engine)
        assert await markers(engine) == await expected_everything(engine, TODAY) | await expected_everything(
            engine, next_week
        )
    finally:
        await engine.dispose()


@pytest.mark.parametrize("with_lock", [True, False], ids=["advisory-lock", "unique-constraint-only"])
async def test_each_alert_once_with_two_replicas(
    db: str, with_lock: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not with_lock:

        async def always(session: Any) -> bool:
            return True

        monkeypatch.setattr(scan_module, "try_lock", always)
    one, two = await _engine(db), await _engine(db)
    try:
        results = await asyncio.gather(run_scan(one), run_scan(two))
        raised = await markers(one)
        assert raised == await expected_everything(one)
        assert sum(sum(r.raised.values()) for r in results) == len(raised)
        events = await outbox(one)
        assert len(events) == len(raised) and set(events) == raised
        async with one.connect() as conn:
            assert await conn.scalar(select(func.count()).select_from(DeadlineAlert)) == len(raised)
    finally:
        await one.dispose()
        await two.dispose()


async def test_a_scan_skips_while_another_replica_holds_the_lock(db: str) -> None:
    one, two = await _engine(db), await _engine(db)
    try:
        maker = make_sessionmaker(one, TABLES)
        async with maker() as holder, holder.begin():
            assert await scan_module.try_lock(holder)
            result = await run_scan(two)
            assert result.skipped
        assert not (await run_scan(two)).skipped  # released with the holder's transaction
        assert str(uuid.uuid4())
    finally:
        await one.dispose()
        await two.dispose()


async def test_a_later_scan_the_same_day_sees_changed_tasks(db: str) -> None:
    engine = await _engine(db)
    try:
        first = await run_scan(engine)
        assert not first.incremental
        maker = make_sessionmaker(engine, TABLES)
        async with maker() as session, session.begin():
            task = await session.get(Task, "soon")
            assert task is not None
            task.progress_percent = 0  # a report that sets progress back: now far behind
        second = await run_scan(engine)
        assert second.incremental and second.candidates >= 1
        assert second.raised["lagging"] == 1
        assert ("soon", "lagging", iso_week(TODAY)) in await markers(engine)
        changed_rules = DeadlineSettings(lagging_tolerance_points=0)
        async with maker() as session, session.begin():
            third = await scan(session=session, today=TODAY, cal=CAL, settings=changed_rules)
        assert not third.incremental  # other rules: a full pass
    finally:
        await engine.dispose()


async def test_the_job_raises_a_backlog_in_chunks_each_once(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "business_today", lambda: TODAY)
    engine = await _engine(db)
    maker = make_sessionmaker(engine, TABLES)
    try:
        first, _ = await jobs.run_scan_once(maker, chunk=7)
        assert first.complete and first.transactions > 1 and not first.incremental
        marked = await markers(engine)
        assert marked == await expected_everything(engine)
        assert sorted(await outbox(engine)) == sorted(marked)  # one event per marker
        second, _ = await jobs.run_scan_once(maker, chunk=7)
        assert second.incremental and sum(second.raised.values()) == 0
    finally:
        await engine.dispose()


async def test_a_backlog_cut_short_is_finished_by_the_next_round(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "business_today", lambda: TODAY)
    original = jobs.raise_next
    calls = 0

    async def crash_after_two_chunks(**kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("process killed")
        await original(**kwargs)

    engine = await _engine(db)
    maker = make_sessionmaker(engine, TABLES)
    try:
        monkeypatch.setattr(jobs, "raise_next", crash_after_two_chunks)
        with pytest.raises(RuntimeError):
            await jobs.run_scan_once(maker, chunk=5)
        assert len(await markers(engine)) == 10  # two chunks committed
        monkeypatch.setattr(jobs, "raise_next", original)
        # The cut-short scan was not recorded as the day's reference: the next one is a full pass.
        again, _ = await jobs.run_scan_once(maker, chunk=5)
        assert (
            not again.incremental
            and sum(again.raised.values()) == len(await expected_everything(engine)) - 10
        )
        assert sorted(await outbox(engine)) == sorted(await markers(engine))
    finally:
        await engine.dispose()


async def test_a_backlog_scan_leaves_the_loop_turns(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold calendar's working-day ranks, the candidates' rows, the rules over them and each chunk's events
    are plain Python: run in one stretch on the event loop they held every request tasking serves for as
    long (luoshi_kit.loopshare). The ranks and the rules run in a worker thread, the rows come a page at a
    time, the events are built with turns between them."""
    monkeypatch.setattr(jobs, "business_today", lambda: TODAY)
    engine = await _engine(postgres_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        maker = make_sessionmaker(engine, TABLES)
        async with maker() as session, session.begin():
            session.add_all(random_tasks(BACKLOG_TASKS))
        stall = await longest_stall(jobs.run_scan_once(maker, chunk=5000))
        assert stall < LONGEST_SCAN_STALL, f"the loop stood still for {stall * 1000:.0f} ms"
    finally:
        await engine.dispose()
