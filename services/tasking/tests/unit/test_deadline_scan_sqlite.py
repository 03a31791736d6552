"""The deadline scan on SQLite (the embedded mode): every open task is checked, each alert once."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select, text

import luoshi_tasking.main  # noqa: F401  (registers every table on Base)
from luoshi_kit.db import make_engine, make_sessionmaker
from luoshi_tasking.calendar.rules import WorkCalendar
from luoshi_tasking.db import TABLES, Base
from luoshi_tasking.deadlines.jobs import run_scan_once
from luoshi_tasking.deadlines.models import DeadlineAlert
from luoshi_tasking.deadlines.rules import DeadlineSettings, iso_week
from luoshi_tasking.deadlines.scan import scan
from luoshi_tasking.tasks.models import Task

TODAY = date(2026, 6, 10)


def _task(task_id: str, deadline: date, start: date, progress: int, state: str = "accepted") -> Task:
    return Task(
        id=task_id,
        title=task_id,
        issuing_org="520000000000",
        lead_unit="520102000000",
        co_units=[],
        start_date=start,
        deadline=deadline,
        state=state,
        created_by="p1",
        created_at=datetime(2026, 1, 2, tzinfo=UTC),
        report_due_dates=[],
        progress_percent=progress,
        last_report_at=datetime(2026, 5, 1, tzinfo=UTC),
    )


async def test_scan_on_sqlite_raises_each_alert_once(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'tasking.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    maker = make_sessionmaker(engine, TABLES)
    async with maker() as session, session.begin():
        session.add_all(
            [
                _task("over", date(2026, 6, 5), date(2026, 4, 1), 90),
                _task("soon", date(2026, 6, 12), date(2026, 6, 1), 80),
                _task("lag", date(2026, 6, 30), date(2026, 4, 1), 10),
                _task("done", date(2026, 6, 5), date(2026, 4, 1), 10, state="archived"),
            ]
        )
    results = []
    for _ in range(2):
        async with maker() as session, session.begin():
            results.append(
                await scan(session=session, today=TODAY, cal=WorkCalendar(), settings=DeadlineSettings())
            )
    try:
        assert results[0].raised == {"due_soon": 1, "lagging": 1, "overdue": 1, "report_missing": 0}
        assert sum(results[1].raised.values()) == 0
        async with engine.connect() as conn:
            marks = {tuple(r) for r in await conn.execute(select(DeadlineAlert.task_id, DeadlineAlert.kind))}
            bodies = [json.loads(b) for (b,) in await conn.execute(text("SELECT body FROM outbox"))]
        assert marks == {("over", "overdue"), ("soon", "due_soon"), ("lag", "lagging")}
        assert {(b["subject"], b["type"]) for b in bodies} == {
            ("over", "tasking.task.overdue.v1"),
            ("soon", "tasking.task.due_soon.v1"),
            ("lag", "tasking.task.lagging.v1"),
        }
        lagging = next(b for b in bodies if b["subject"] == "lag")["data"]
        assert lagging["occurrence"] == iso_week(TODAY) and lagging["colour"] == "yellow"
        # The job's round: rules and calendar from the database, today's business date, one transaction.
        result, settings = await run_scan_once(maker)
        assert not result.skipped and settings == DeadlineSettings()
    finally:
        await engine.dispose()
