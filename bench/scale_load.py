"""What the scale benchmarks load: realistic tasks over Guizhou's real organisation tree and their history,
written with COPY straight into tasking's and the gateway's tables (``bench/tasking_scale.py``,
``bench/at_scale.py``).

Rows are plain dicts keyed by column name; ``record_for`` turns one into a COPY record for whatever columns a
table has now (others add columns; their defaults fill in)."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import asyncpg
from sqlalchemy import JSON, Table

from luoshi_tasking.tasks.scopes import scope_rows

OPEN = ("assigned", "accepted", "returned")
CLOSED = ("archived", "closed", "completed")
SCOPE_COLUMNS = ["task_id", "scope", "deadline", "created_at", "state"]  # the order scope_rows gives


def departments(orgs: list[dict[str, str]]) -> list[str]:
    """Eight departments (部门) for each province, city and county government."""
    govs = [o["code"] for o in orgs if o["level"] in ("province", "city", "county")]
    return [f"{gov}D{i:02d}" for gov in govs for i in range(1, 9)]


def generate(count: int, orgs: list[dict[str, str]], today: date, rng: random.Random) -> list[dict[str, Any]]:
    """Realistic tasks: spans of 2 weeks to 18 months; past deadlines mostly closed out (6 % still open,
    i.e. overdue); progress near the time-proportional line with a few laggards; 5 % with
    issuer-set report dates; 15 % of open tasks without any report yet."""
    parent = {o["code"]: o["parent_code"] or o["code"] for o in orgs}
    for dept in departments(orgs):
        parent[dept] = dept[:12]  # a government's department is tasked by that government
    units = [o["code"] for o in orgs if o["level"] != "province"]
    depts = departments(orgs)
    below: dict[str, list[str]] = {}
    for unit in units + depts:
        below.setdefault(parent[unit], []).append(unit)
    rows = []
    for _ in range(count):
        lead = rng.choice(depts) if rng.random() < 0.15 else rng.choice(units)
        # 30 % multi-unit tasks: co-units from the same issuer's units and departments
        peers = [u for u in rng.sample(below[parent[lead]], min(4, len(below[parent[lead]]))) if u != lead]
        co_units = peers[: rng.randint(1, 3)] if rng.random() < 0.3 else []
        start = today - timedelta(days=rng.randint(0, 540))
        deadline = start + timedelta(days=rng.randint(14, 540))
        span = (deadline - start).days
        share = min(1.0, max(0.0, (today - start).days / span))
        if deadline < today:
            state = rng.choices(["archived", "closed", "completed", "accepted"], [60, 25, 9, 6])[0]
        else:
            state = rng.choices(
                ["assigned", "accepted", "returned", "completed", "cancelled"], [10, 82, 2, 4, 2]
            )[0]
        done = state in CLOSED
        progress = 100 if done else int(min(100, max(0, round((share * 100 + rng.gauss(5, 10)) / 5) * 5)))
        explicit = []
        if rng.random() < 0.05:
            explicit = [(start + timedelta(days=30 * (i + 1))).isoformat() for i in range(min(6, span // 30))]
        reported = rng.random() >= 0.15 and today > start
        last_report = (
            datetime.combine(
                today - timedelta(days=rng.randint(0, min(80, (today - start).days))),
                datetime.min.time(),
                UTC,
            )
            + timedelta(hours=2)
            if reported
            else None
        )
        created = datetime.combine(start, datetime.min.time(), UTC) + timedelta(hours=rng.randint(0, 10))
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "title": "重点工作任务",
                "description": "",
                "issuing_org": parent[lead],
                "lead_unit": lead,
                "co_units": co_units,
                "start_date": start if rng.random() < 0.6 else None,
                "deadline": deadline,
                "report_due_dates": explicit,
                "progress_percent": progress,
                "state": state,
                "created_by": "bench",
                "created_at": created,
                "updated_at": created,
                "last_report_at": last_report,
                "required_progress": "",
                "measures": "",
            }
        )
    return rows


def _fill(column: Any) -> Callable[[], Any]:
    """Where a row lacks the column: its scalar or callable default, else NULL."""
    default = column.default
    if default is not None and getattr(default, "is_scalar", False):
        return lambda: default.arg
    if default is not None and getattr(default, "is_callable", False):
        return lambda: default.arg(None)
    return lambda: None


def records_for(rows: Iterable[dict[str, Any]], table: Table) -> list[tuple[Any, ...]]:
    """COPY records of ``rows`` for the columns ``table`` has now (others add columns: their defaults fill
    in); JSON columns serialised."""
    plan = [(c.name, _fill(c), isinstance(c.type, JSON)) for c in table.columns]
    out = []
    for row in rows:
        record = []
        for name, fill, is_json in plan:
            value = row[name] if name in row else fill()
            record.append(json.dumps(value, ensure_ascii=False) if is_json and value is not None else value)
        out.append(tuple(record))
    return out


async def copy_rows(conn: asyncpg.Connection, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    records = records_for(rows, table)
    await conn.copy_records_to_table(table.name, records=records, columns=[c.name for c in table.columns])


@asynccontextmanager
async def indexes_deferred(conn: asyncpg.Connection, tables: list[str]) -> AsyncIterator[None]:
    """Drop the tables' plain indexes (not those of primary keys or unique constraints) for a bulk load and
    build them again afterwards from their own definitions: one sorted build each instead of a million
    insertions, whatever indexes the migrations define now."""
    rows = await conn.fetch(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.schemaname = 'public' AND i.tablename = ANY($1::text[])
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
        tables,
    )
    for row in rows:
        await conn.execute(f'DROP INDEX "{row["indexname"]}"')
    yield
    await conn.execute("SET maintenance_work_mem = '256MB'")
    for row in rows:
        await conn.execute(row["indexdef"])


async def copy_tasks(conn: asyncpg.Connection, task_table: Table, rows: list[dict[str, Any]]) -> None:
    """Tasking's ``task`` rows and the ``task_scope`` rows its list pages read."""
    await copy_rows(conn, task_table, rows)
    scopes = [tuple(u.values()) for r in rows for u in scope_rows(SimpleNamespace(**r))]
    await conn.copy_records_to_table("task_scope", records=scopes, columns=SCOPE_COLUMNS)


# --- history: what the tasks went through, made by PostgreSQL from the loaded tasks (set-based: a million
# tasks' history row by row in Python would take longer than the whole benchmark may). $1 is the busy task,
# $2 how many reports (trace) or urges (timeline) it has; the rest have 1–3 reports and 2 % of the open
# ones 1–2 urges, chosen by a hash of the task id so a rerun loads the same history.

TRACE = [
    """INSERT INTO task_event (id, task_id, action, actor_id, actor_org, reason, detail, at)
    SELECT gen_random_uuid()::text, id, 'assigned', 'u-' || issuing_org, issuing_org, NULL, '{}', created_at
    FROM task""",
    """INSERT INTO task_event (id, task_id, action, actor_id, actor_org, reason, detail, at)
    SELECT gen_random_uuid()::text, id, 'accepted', 'u-' || lead_unit, lead_unit, NULL, '{"lagging": false}',
           created_at + interval '20 hours'
    FROM task WHERE state <> 'assigned'""",
    """INSERT INTO progress_report (id, task_id, reporter_id, org_code, to_lead_unit, progress_percent,
                                    progress, problems, measures, reported_at)
    SELECT gen_random_uuid()::text, t.id, 'u-' || t.lead_unit, t.lead_unit, false,
           greatest(0, t.progress_percent - 5 * (c.n - r.k)),
           '按计划推进, 已完成阶段目标', '无', '加强调度, 压实责任',
           t.last_report_at
               - (t.last_report_at - t.created_at - interval '1 day') * ((c.n - r.k)::float / c.n)
    FROM task t
    CROSS JOIN LATERAL (SELECT CASE WHEN t.id = $1 THEN $2 ELSE 1 + abs(hashtext(t.id)) % 3 END AS n) c
    CROSS JOIN LATERAL generate_series(1, c.n) AS r(k)
    WHERE t.last_report_at IS NOT NULL AND t.state <> 'assigned'""",
    """INSERT INTO task_event (id, task_id, action, actor_id, actor_org, reason, detail, at)
    SELECT gen_random_uuid()::text, task_id, 'progress_reported', reporter_id, org_code, NULL,
           json_build_object('progress_percent', progress_percent), reported_at
    FROM progress_report""",
    """INSERT INTO task_event (id, task_id, action, actor_id, actor_org, reason, detail, at)
    SELECT gen_random_uuid()::text, id,
           CASE state WHEN 'cancelled' THEN 'cancelled' WHEN 'completed' THEN 'completed' ELSE 'closed' END,
           'u-' || issuing_org, issuing_org, NULL, '{}',
           greatest(coalesce(last_report_at, created_at) + interval '3 hours',
                    deadline - (abs(hashtext(id)) % 20) * interval '1 day' + interval '9 hours')
    FROM task WHERE state IN ('archived', 'closed', 'completed', 'cancelled')""",
]

VIEW_COLUMNS = ["task_id", "title", "issuing_org", "lead_unit", "co_units", "parent_id", "deadline", "state"]
VIEW_COLUMNS += ["progress_percent", "overdue", "lagging", "completed_on", "updated_at"]
VIEWS = """SELECT id, title, issuing_org, lead_unit, co_units, NULL, deadline, state, progress_percent,
       state IN ('assigned', 'accepted', 'returned') AND deadline < $1::date,
       state IN ('assigned', 'accepted', 'returned') AND abs(hashtext(id)) % 100 < 8,
       CASE WHEN state IN ('closed', 'archived')
            THEN least($1::date, deadline - (abs(hashtext(id)) % 30 - 10)) END,
       coalesce(last_report_at, created_at)
FROM task"""

TIMELINE_COLUMNS = ["event_id", "task_id", "at", "event_type", "source", "actor_id", "org_code", "summary"]
TIMELINE_COLUMNS += ["data"]
_REF = """json_build_object('task_id', t.id, 'title', t.title, 'issuing_org', t.issuing_org,
    'lead_unit', t.lead_unit, 'co_units', t.co_units, 'parent_id', NULL, 'deadline', t.deadline,
    'original_deadline', NULL, 'extension_count', 0)"""
TIMELINE = f"""SELECT e.id, e.task_id, e.at, 'tasking.task.' || e.action || '.v1', 'tasking',
       e.actor_id, e.actor_org,
       CASE e.action WHEN 'progress_reported'
            THEN '落实反馈 progress reported ' || (e.detail->>'progress_percent')
                 || '% — 按计划推进, 已完成阶段目标'
            ELSE e.action END,
       json_build_object('task', {_REF},
                         'by', json_build_object('person_id', e.actor_id, 'org_code', e.actor_org))
       ::jsonb || e.detail::jsonb
FROM task_event e JOIN task t ON t.id = e.task_id"""  # nosec B608 (constant SQL: the f-string only inlines _REF)
URGES = f"""SELECT gen_random_uuid()::text, t.id,
       coalesce(t.last_report_at, t.created_at) + u.k * interval '1 day' + interval '1 hour',
       'supervision.urge.issued.v1', 'supervision', 'u-' || t.issuing_org, t.issuing_org,
       '催办 (承办人): 请加快进度',
       json_build_object('urge', json_build_object('urge_id', gen_random_uuid(), 'kind', 'urge',
           'task_id', t.id, 'org_code', t.lead_unit, 'recipient_role', 'handler', 'automatic', false,
           'task', {_REF}),
           'by', json_build_object('person_id', 'u-' || t.issuing_org, 'org_code', t.issuing_org),
           'message', '请加快进度')
FROM task t
CROSS JOIN LATERAL generate_series(
    1, CASE WHEN t.id = $1 THEN $2 ELSE 1 + abs(hashtext(t.id)) % 2 END) AS u(k)
WHERE t.id = $1 OR (t.state IN ('assigned', 'accepted', 'returned') AND abs(hashtext(t.id)) % 50 = 0)"""  # nosec B608


async def stream(
    source: asyncpg.Connection,
    query: str,
    args: tuple[Any, ...],
    target: asyncpg.Connection,
    table: str,
    columns: list[str],
) -> None:
    """``COPY (query) TO STDOUT`` on one database into ``COPY table FROM STDIN`` on another (no Python
    work per row)."""
    chunks: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=64)

    async def produce() -> None:
        try:
            await source.copy_from_query(query, *args, output=chunks.put)
        finally:
            await chunks.put(None)

    async def chunked() -> Any:
        while (chunk := await chunks.get()) is not None:
            yield chunk

    await asyncio.gather(produce(), target.copy_to_table(table, source=chunked(), columns=columns))
