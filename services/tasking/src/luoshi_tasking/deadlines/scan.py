"""The deadline scan: raise each due_soon / lagging / overdue / report_missing alert exactly once.

Keyword-only and never commits: the job or route owns the transaction, so markers and their outbox
events commit together. Exactly once holds with any number of replicas: on PostgreSQL one replica
at a time holds a transaction-level advisory lock (the others skip that round), and the unique
marker (task, kind, occurrence) is the final guard — an alert's event is staged only when its
marker row was newly inserted (INSERT … ON CONFLICT DO NOTHING RETURNING).

Candidates: on PostgreSQL, ``candidates.py`` narrows the open tasks in SQL (exactly, and only to
the tasks changed since the day's full pass on later scans that day); on SQLite (the embedded,
single-process mode) every open task is checked. The rules in ``rules.py`` decide.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Row, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.messaging.outbox import add_event
from luoshi_proto.tasking.v1 import TaskDeadlineAlert, TaskRef
from luoshi_tasking.calendar.rules import WorkCalendar
from luoshi_tasking.deadlines.candidates import COLUMNS, incremental_since, pg_candidates
from luoshi_tasking.deadlines.models import DeadlineAlert
from luoshi_tasking.deadlines.rules import (
    ALERT_KINDS,
    OPEN_STATES,
    AlertKind,
    DeadlineSettings,
    TaskStatus,
    due_soon_horizon,
    iso_week,
    missing_report_dues,
    task_status,
)
from luoshi_tasking.tasks.models import Task

LOCK_KEY = 7_402_551_200_417  # pg advisory lock id of the deadline scan (any constant bigint)
_INSERT_CHUNK = 1000


@dataclass
class ScanResult:
    today: date
    skipped: bool = False
    candidates: int = 0
    raised: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ALERT_KINDS, 0))
    seconds: float = 0.0
    incremental: bool = False  # only tasks changed since the day's full scan were checked


@dataclass(frozen=True)
class Alert:
    task: Any  # a task row: Task or a selected row with the same attributes
    kind: AlertKind
    occurrence: str
    due: date
    status: TaskStatus


def plan_alerts(
    tasks: Iterable[Any], today: date, cal: WorkCalendar, settings: DeadlineSettings
) -> list[Alert]:
    """Every alert the rules call for today (already-raised ones included; markers weed them out)."""
    horizon = due_soon_horizon(today, cal, settings)
    week = iso_week(today)
    out: list[Alert] = []
    for task in tasks:
        if task.state not in OPEN_STATES:
            continue
        status = task_status(task, today, cal, settings)
        deadline_key = task.deadline.isoformat()
        if status.overdue:
            out.append(Alert(task, "overdue", deadline_key, task.deadline, status))
        elif task.deadline < horizon:
            out.append(Alert(task, "due_soon", deadline_key, task.deadline, status))
        if status.lagging:
            out.append(Alert(task, "lagging", week, task.deadline, status))
        for nominal, effective in missing_report_dues(task, today, cal):
            out.append(Alert(task, "report_missing", nominal.isoformat(), effective, status))
    return out


async def _open_tasks(session: AsyncSession) -> Sequence[Row[Any]]:
    columns = [Task.__table__.c[c] for c in COLUMNS]
    return (await session.execute(select(*columns).where(Task.state.in_(sorted(OPEN_STATES))))).all()


async def _insert_markers(session: AsyncSession, alerts: list[Alert], dialect: str) -> set[tuple[str, ...]]:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(DeadlineAlert)
        .on_conflict_do_nothing(index_elements=["task_id", "kind", "occurrence"])
        .returning(DeadlineAlert.task_id, DeadlineAlert.kind, DeadlineAlert.occurrence)
    )
    connection = await session.connection()
    now = datetime.now(UTC)
    inserted: set[tuple[str, ...]] = set()
    for i in range(0, len(alerts), _INSERT_CHUNK):
        chunk = alerts[i : i + _INSERT_CHUNK]
        values = [
            {
                "task_id": a.task.id,
                "kind": a.kind,
                "occurrence": a.occurrence,
                "due": a.due,
                "lead_unit": a.task.lead_unit,
                "colour": a.status.colour,
                "provisional": a.status.provisional,
                "raised_at": now,
            }
            for a in chunk
        ]
        # executemany: SQLAlchemy batches it into multi-row INSERTs ("insertmanyvalues") with RETURNING.
        inserted.update(tuple(r) for r in (await connection.execute(statement, values)).all())
    return inserted


def _stage_event(session: AsyncSession, alert: Alert, today: date, cal: WorkCalendar) -> None:
    task = alert.task
    add_event(
        session=session,
        source="tasking",
        orgcode=task.lead_unit,
        subject=task.id,
        event_type=f"tasking.task.{alert.kind}.v1",
        data=TaskDeadlineAlert(
            task=TaskRef(
                task_id=task.id,
                title=task.title,
                issuing_org=task.issuing_org,
                lead_unit=task.lead_unit,
                parent_id=task.parent_id,
                deadline=task.deadline,
            ),
            occurrence=alert.occurrence,
            colour=alert.status.colour,
            due=alert.due,
            working_days_left=cal.working_days_between(today, alert.due),
            progress_percent=max(0, min(100, task.progress_percent or 0)),
            expected_percent=alert.status.expected_percent,
            provisional=alert.status.provisional,
        ),
    )


async def try_lock(session: AsyncSession) -> bool:
    """One replica scans at a time; the lock ends with the transaction (commit or rollback)."""
    return bool(await session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": LOCK_KEY}))


async def scan(
    *, session: AsyncSession, today: date, cal: WorkCalendar, settings: DeadlineSettings
) -> ScanResult:
    started = time.perf_counter()
    dialect = session.get_bind().dialect.name
    result = ScanResult(today=today)
    if dialect == "postgresql":
        if not await try_lock(session):
            return ScanResult(today=today, skipped=True)
        # JIT compilation costs more than it saves here (~0.5 s per query, measured).
        await session.execute(text("SET LOCAL jit = off"))
        since = await incremental_since(session, today, cal, settings)
        tasks: Sequence[Any] = await pg_candidates(session, today, cal, settings, since)
        result.incremental = since is not None
    else:
        tasks = await _open_tasks(session)
    # One order for every replica, so concurrent inserts wait on each other instead of deadlocking.
    alerts = sorted(plan_alerts(tasks, today, cal, settings), key=lambda a: (a.task.id, a.kind, a.occurrence))
    inserted = await _insert_markers(session, alerts, dialect) if alerts else set()
    result.candidates = len(tasks)
    for alert in alerts:
        if (alert.task.id, alert.kind, alert.occurrence) in inserted:
            _stage_event(session, alert, today, cal)
            result.raised[alert.kind] += 1
    await session.flush()
    result.seconds = round(time.perf_counter() - started, 3)
    return result
