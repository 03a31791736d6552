"""The deadline scan: raise each due_soon / lagging / overdue / report_missing alert exactly once.

Keyword-only and never commits: the job or route owns the transaction, so markers and their outbox
events commit together. Exactly once holds with any number of replicas: on PostgreSQL one replica
at a time holds a transaction-level advisory lock (the others skip that round), and the unique
marker (task, kind, occurrence) is the final guard — an alert's event is staged only when its
marker row was newly inserted (INSERT … ON CONFLICT DO NOTHING RETURNING).

Candidates: on PostgreSQL, ``candidates.py`` narrows the open tasks in SQL (exactly, and only to
the tasks changed since the day's full pass on later scans that day); on SQLite (the embedded,
single-process mode) every open task is checked. The rules in ``rules.py`` decide.

Bursts: ``plan_scan`` selects the candidates once and ``ScanPlan.decide`` applies the rules;
``raise_next`` raises the alerts a chunk per transaction (the job commits after each, re-taking the
lock). Each committed chunk's markers stop anyone from
raising it again, and the scan is recorded as the next incremental reference only with its last
chunk, so a crash or a hand-over mid-backlog leaves the remainder to the next full scan.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Row, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.messaging.outbox import PendingEvent, add_events
from luoshi_proto.tasking.states import OPEN_STATES
from luoshi_proto.tasking.v1 import TaskDeadlineAlert
from luoshi_tasking.calendar.rules import WorkCalendar
from luoshi_tasking.deadlines.candidates import (
    COLUMNS,
    ScanMark,
    incremental_since,
    pg_candidates,
    record_scan,
)
from luoshi_tasking.deadlines.models import DeadlineAlert
from luoshi_tasking.deadlines.rules import (
    ALERT_KINDS,
    AlertKind,
    DeadlineSettings,
    TaskStatus,
    deadline_binds,
    due_soon_horizon,
    iso_week,
    missing_report_dues,
    pace_owed,
    task_status,
)
from luoshi_tasking.tasks.lifecycle import task_ref
from luoshi_tasking.tasks.models import Task

LOCK_KEY = 7_402_551_200_417  # pg advisory lock id of the deadline scan (any constant bigint)
_INSERT_CHUNK = 1000
ALERT_CHUNK = 5000  # alerts per transaction in the job: a first scan's backlog is no 40 s transaction


@dataclass
class ScanResult:
    today: date
    skipped: bool = False
    candidates: int = 0
    raised: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ALERT_KINDS, 0))
    seconds: float = 0.0
    incremental: bool = False  # only tasks changed since the day's full scan were checked
    transactions: int = 0  # the job commits a big backlog in chunks (ALERT_CHUNK alerts each)
    complete: bool = True  # False: another replica took over the rest (see jobs.py)
    longest_transaction: float = 0.0  # seconds, as the job measured it


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
        if not deadline_binds(task):
            pass  # created after its deadline (a past period slice): no deadline alert
        elif status.overdue:
            out.append(Alert(task, "overdue", deadline_key, task.deadline, status))
        elif task.deadline < horizon:
            out.append(Alert(task, "due_soon", deadline_key, task.deadline, status))
        if status.lagging and pace_owed(task, today):  # pace is owed from acceptance on
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


def _pending_event(alert: Alert, today: date, cal: WorkCalendar) -> PendingEvent:
    task = alert.task
    return PendingEvent(
        orgcode=task.lead_unit,
        subject=task.id,
        event_type=f"tasking.task.{alert.kind}.v1",
        data=TaskDeadlineAlert(
            task=task_ref(task),
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
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(await session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": LOCK_KEY}))


@dataclass
class ScanPlan:
    """A scan's candidates and, once decided, the alerts to raise in the one order every replica
    inserts them in."""

    result: ScanResult
    tasks: Sequence[Any]
    cal: WorkCalendar
    settings: DeadlineSettings
    mark: ScanMark | None = None  # recorded once every alert is raised (PostgreSQL)
    alerts: list[Alert] = field(default_factory=list)
    done: int = 0  # alerts handled so far
    started: float = field(default_factory=time.perf_counter)

    @property
    def finished(self) -> bool:
        return self.done >= len(self.alerts)

    async def decide_aside(self) -> None:
        """``decide`` in a worker thread: over a backlog's candidates the rules run for seconds, and on
        the event loop they held every request the process serves for as long. The loop takes the
        interpreter back at each switch interval (5 ms) the worker's bytecode reaches."""
        await asyncio.to_thread(self.decide)

    def decide(self) -> None:
        """Apply the rules (plain Python, no database: the job runs it between transactions)."""
        alerts = plan_alerts(self.tasks, self.result.today, self.cal, self.settings)
        # One order for every replica, so concurrent inserts wait on each other instead of deadlocking.
        self.alerts = sorted(alerts, key=lambda a: (a.task.id, a.kind, a.occurrence))


async def plan_scan(
    *, session: AsyncSession, today: date, cal: WorkCalendar, settings: DeadlineSettings
) -> ScanPlan | None:
    """Take the scan lock and select the candidates; None when another replica is scanning."""
    started = time.perf_counter()
    result = ScanResult(today=today)
    mark = None
    if session.get_bind().dialect.name == "postgresql":
        if not await try_lock(session):
            return None
        # JIT compilation costs more than it saves here (~0.5 s per query, measured).
        await session.execute(text("SET LOCAL jit = off"))
        since, mark = await incremental_since(session, today, cal, settings)
        tasks: Sequence[Any] = await pg_candidates(session, today, cal, settings, since)
        result.incremental = since is not None
    else:
        tasks = await _open_tasks(session)
    result.candidates = len(tasks)
    return ScanPlan(result=result, tasks=tasks, cal=cal, settings=settings, mark=mark, started=started)


async def raise_next(*, session: AsyncSession, plan: ScanPlan, limit: int | None = None) -> None:
    """Raise the plan's next ``limit`` alerts (all that remain by default): markers and outbox events
    in the caller's transaction; records the scan as complete with the last of them."""
    end = len(plan.alerts) if limit is None else min(len(plan.alerts), plan.done + limit)
    chunk = plan.alerts[plan.done : end]
    dialect = session.get_bind().dialect.name
    inserted = await _insert_markers(session, chunk, dialect) if chunk else set()
    fresh = [a for a in chunk if (a.task.id, a.kind, a.occurrence) in inserted]
    today = plan.result.today
    # A generator: add_events builds each event as it stages it, with turns for the loop in between.
    events = (_pending_event(a, today, plan.cal) for a in fresh)
    await add_events(session=session, source="tasking", events=events)
    for alert in fresh:
        plan.result.raised[alert.kind] += 1
    plan.done = end
    plan.result.transactions += 1
    if plan.finished and plan.mark is not None:
        await record_scan(session, plan.mark)
    plan.result.seconds = round(time.perf_counter() - plan.started, 3)


async def scan(
    *, session: AsyncSession, today: date, cal: WorkCalendar, settings: DeadlineSettings
) -> ScanResult:
    """A whole scan in the caller's one transaction (the job splits big ones, see ``jobs.py``)."""
    plan = await plan_scan(session=session, today=today, cal=cal, settings=settings)
    if plan is None:
        return ScanResult(today=today, skipped=True)
    await plan.decide_aside()
    await raise_next(session=session, plan=plan)
    return plan.result
