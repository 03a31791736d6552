"""Which tasks a scan looks at (PostgreSQL): one pass over the open tasks, narrowed in SQL.

SQL keeps the open tasks that may need a new alert and have no marker for it yet; the rules in
``rules.py`` then decide. Working days are counted in SQL exactly, with a per-day rank array the
calendar computes (``a[i]`` = working days from ``base`` through ``base + i``), so lagging is
filtered by the same 序时进度 formula as the rules, not by a calendar-day approximation.

Incremental scans: alerts depend only on the tasks, the business date, the rules and the loaded
calendar. The first scan of a business day (or after the rules or calendar changed) is a full
pass; later scans that day look only at tasks whose ``updated_at`` moved since the previous
scan began (less a margin for clock skew between replicas and late commits).

Known limit: for quarterly reporting, a full pass checks the latest quarter end that has passed;
a missing report for an older quarter is raised only if a scan ran between that quarter's due
date and the next one (the service would have had to be down for a whole quarter to miss it).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.timebase import business_midnight
from luoshi_proto.tasking.states import OPEN_STATES
from luoshi_tasking.calendar.rules import WorkCalendar
from luoshi_tasking.deadlines.models import DeadlineScanState
from luoshi_tasking.deadlines.rules import (
    DeadlineSettings,
    due_soon_horizon,
    iso_week,
    previous_quarter_end,
    quarter_end,
    week_start,
)
from luoshi_tasking.tasks.models import Task

INCREMENTAL_MARGIN = timedelta(minutes=10)
CANDIDATE_PAGE = 500
RANK_SPAN_DAYS = 3660  # the SQL rank array covers today ± 10 years; dates beyond are refined in Python

COLUMNS = (
    "id",
    "title",
    "issuing_org",
    "lead_unit",
    "co_units",
    "parent_id",
    "deadline",
    "start_date",
    "created_at",
    "progress_percent",
    "state",
    "report_due_dates",
    "last_report_at",
    "accepted_at",
    "original_deadline",
    "extension_count",
)


def select_columns() -> str:
    return ", ".join(f"t.{c}" for c in COLUMNS)


def _typed(sql: str) -> Any:
    return text(sql).columns(*(Task.__table__.c[c] for c in COLUMNS))


# Half the table is open: a sequential pass beats the (state, deadline) index, which the planner
# would otherwise pick and then visit the heap row by row (measured 6 s vs 2 s at 1M tasks).
_OPEN_SQL = "(t.state || '') IN ({})".format(", ".join(f"'{s}'" for s in sorted(OPEN_STATES)))
# No issuer-set report dates (an empty list, or anything but a list): quarterly reports.
# CASE fixes the order: the cheap text test first (most tasks), and no array function on a non-array.
_QUARTERLY_SQL = (
    "(CASE WHEN CAST(t.report_due_dates AS text) = '[]' THEN TRUE"
    " WHEN json_typeof(t.report_due_dates) <> 'array' THEN TRUE"
    " ELSE json_array_length(t.report_due_dates) = 0 END)"
)
_CREATED_SQL = "CAST(t.created_at AT TIME ZONE 'Asia/Shanghai' AS date)"
_START_SQL = f"COALESCE(t.start_date, {_CREATED_SQL})"
# Reports and pace are owed from acceptance on; the deadline binds if the task existed on it (rules.py).
_ACCEPTED_SQL = "(t.state || '') = 'accepted'"
_BINDS_SQL = f"t.deadline >= {_CREATED_SQL}"


def _not_marked(kind: str, occurrence_sql: str, column: str = "occurrence") -> str:
    return (
        "NOT EXISTS (SELECT 1 FROM deadline_alert a WHERE a.task_id = t.id "
        f"AND a.kind = '{kind}' AND a.{column} = {occurrence_sql})"  # nosec B608 # module constants only
    )


def _quarterly_window(today: date, cal: WorkCalendar) -> tuple[date, date]:
    """(latest quarter end whose report is overdue by today, the quarter end before it)."""
    end = quarter_end(today)
    while cal.next_workday(end) >= today:
        end = previous_quarter_end(end)
    return end, previous_quarter_end(end)


async def pg_candidates(
    session: AsyncSession,
    today: date,
    cal: WorkCalendar,
    settings: DeadlineSettings,
    since: datetime | None = None,
) -> Sequence[Row[Any]]:
    """Open tasks that may need a new alert, in one pass over the open tasks (one OR per kind);
    with ``since``, only tasks changed after it."""
    base, ranks = today - timedelta(days=RANK_SPAN_DAYS), "(CAST(:ranks AS integer[]))"
    # In a worker thread: on a calendar not yet warm the ranks of ±10 years took ~0.5-1 s of plain Python,
    # which on the event loop held every request the process serves (luoshi_kit.loopshare).
    rank_values = await asyncio.to_thread(cal.rank_array, base, today + timedelta(days=RANK_SPAN_DAYS))
    r_start = f"{ranks}[{_START_SQL} - CAST(:base AS date)]"  # working days in [base, start - 1]
    r_deadline = f"{ranks}[t.deadline - CAST(:base AS date) + 1]"  # working days in [base, deadline]
    dq, prev_q = _quarterly_window(today, cal)
    # A JSON null or object must not abort the scan ("cannot extract elements from a scalar").
    dues = (
        "json_array_elements_text(CASE WHEN json_typeof(t.report_due_dates) = 'array'"
        " THEN t.report_due_dates ELSE CAST('[]' AS json) END) AS e(v)"
    )
    branches = [
        # overdue: the deadline has passed, not yet raised for this deadline
        f"(t.deadline < :today AND {_BINDS_SQL} AND {_not_marked('overdue', 't.deadline', 'due')})",
        # due soon: deadline in [today, horizon)
        f"(t.deadline >= :today AND t.deadline < :horizon AND {_BINDS_SQL}"
        f" AND {_not_marked('due_soon', 't.deadline', 'due')})",
        # lagging: (progress + tol + 1) * total <= 100 * elapsed, i.e. progress < expected - tol
        f"({_ACCEPTED_SQL} AND COALESCE(t.accepted_at, t.created_at) < :week_start AND t.deadline >= :today"
        " AND t.progress_percent < :maxp"
        f" AND COALESCE((t.progress_percent + :tol + 1)"
        f" * ({r_deadline} - {r_start}) <= 100 * (:r_yesterday - {r_start}), TRUE)"
        f" AND {_not_marked('lagging', ':week')})",
        # quarterly cadence: the latest passed quarter's report, no report since the quarter before
        f"({_ACCEPTED_SQL} AND {_QUARTERLY_SQL} AND t.deadline > :prev_q AND {_START_SQL} <= :dq"
        " AND (t.last_report_at IS NULL OR t.last_report_at < :window)"
        f" AND {_not_marked('report_missing', ':dq_key')})",
        # explicit cadence: the latest passed due date d1, unmarked, and no report since the one before
        # (the 11 days allow for that earlier date having moved past a holiday to its working day)
        f"({_ACCEPTED_SQL} AND NOT {_QUARTERLY_SQL} AND EXISTS (SELECT 1 FROM (SELECT max(e.v) AS d1"  # nosec B608
        f" FROM {dues} WHERE e.v < :today_key) x WHERE x.d1 IS NOT NULL"
        f" AND {_not_marked('report_missing', 'x.d1')} AND (t.last_report_at IS NULL OR"
        " to_char((t.last_report_at AT TIME ZONE 'Asia/Shanghai') - interval '11 days', 'YYYY-MM-DD')"
        f" <= (SELECT max(e.v) FROM {dues} WHERE e.v < x.d1))))",
    ]
    changed = "t.updated_at >= :since AND " if since else ""
    # Every fragment is a constant of this module; values travel as bound :parameters.
    where = f"{changed}{_OPEN_SQL} AND ({' OR '.join(branches)})"
    sql = f"SELECT {select_columns()} FROM task t WHERE {where}"  # nosec B608 # constants, values bound
    params: dict[str, Any] = {
        "today": today,
        "horizon": due_soon_horizon(today, cal, settings),
        "maxp": 100 - settings.lagging_tolerance_points,
        "week": iso_week(today),
        "week_start": business_midnight(week_start(today)),
        "tol": settings.lagging_tolerance_points,
        "ranks": rank_values,
        "base": base,
        "r_yesterday": rank_values[(today - base).days - 1],
        "prev_q": prev_q,
        "dq": dq,
        "dq_key": dq.isoformat(),
        "window": business_midnight(cal.next_workday(prev_q) + timedelta(days=1)),
        "today_key": today.isoformat(),
        **({"since": since} if since else {}),
    }
    # Fetched a page at a time from a cursor: each page is an await, so the event loop gets a turn between
    # the pages' row processing (~5 µs a row here: the at-scale backlog's 122,539 candidates at once would
    # be ~0.6 s in one stretch; a page, ~2.5 ms).
    result = await session.stream(_typed(sql), params)
    rows: list[Row[Any]] = []
    async for page in result.partitions(CANDIDATE_PAGE):
        rows.extend(page)
    return rows


def fingerprint(cal: WorkCalendar, settings: DeadlineSettings) -> str:
    """Everything besides the tasks and the date that decides an alert: the rules and loaded years."""
    years = sorted(
        (y, sorted(map(str, s.holidays)), sorted(map(str, s.workdays))) for y, s in cal.official.items()
    )
    payload = json.dumps([asdict(settings), years, RANK_SPAN_DAYS], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class ScanMark:
    """What a completed scan records as the next scan's reference."""

    business_date: date
    fingerprint: str
    started_at: datetime


async def incremental_since(
    session: AsyncSession, today: date, cal: WorkCalendar, settings: DeadlineSettings
) -> tuple[datetime | None, ScanMark]:
    """When the day's full scan ran with the same rules, the tasks changed since then are all that
    can need a new alert; returns that moment (less a margin for clock skew and late commits), or
    None for a full scan, and the mark to record once this scan has raised every alert it planned
    (``record_scan``): a scan cut short leaves the old reference, so the next one redoes its work."""
    mark = fingerprint(cal, settings)
    now = await session.scalar(select(func.now()))
    await session.execute(
        pg_insert(DeadlineScanState)
        .values(key="scan", business_date=date(1970, 1, 1), fingerprint="", started_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    state = await session.get(DeadlineScanState, "scan", with_for_update=True, populate_existing=True)
    assert state is not None and now is not None
    same_day = state.business_date == today and state.fingerprint == mark
    since = state.started_at - INCREMENTAL_MARGIN if same_day else None
    return since, ScanMark(today, mark, now)


async def record_scan(session: AsyncSession, mark: ScanMark) -> None:
    await session.execute(
        update(DeadlineScanState)
        .where(DeadlineScanState.key == "scan")
        .values(business_date=mark.business_date, fingerprint=mark.fingerprint, started_at=mark.started_at)
    )
