"""A new task's rows — the task, its ``task_scope`` rows, its trace, its outbox event — off the unit of work.

On PostgreSQL the four INSERTs go as one data-modifying CTE (issue 10: each statement cost ~0.3–0.5 ms of
SQLAlchemy and asyncpg CPU and a round trip). Its SQL is built once per process from the tables and sent as
driver SQL, so nothing is compiled per request and asyncpg reuses the statement it prepared on the
connection; each value still goes through its column type's bind processor (JSON, UTC datetimes). Other
databases (SQLite, the embedded mode) take the four Core INSERTs.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Dialect, Table
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import table_of, tables_of
from luoshi_kit.driver_sql import ColumnValues, OutboxInsert, insert_sql, placeholders
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_events, envelope_and_row, execute_staging, relay_notify
from luoshi_tasking.tasks.lifecycle import SOURCE, assigned_event, trace_values
from luoshi_tasking.tasks.models import Task, TaskEvent, TaskScope
from luoshi_tasking.tasks.scopes import scope_rows


def assignment_detail(task: Task) -> dict[str, Any]:
    detail = {"lead_unit": task.lead_unit, "co_units": task.co_units, "nature": task.nature}
    if task.parent_id:
        detail["parent_id"] = task.parent_id
    return detail


async def insert_assignment(*, session: AsyncSession, task: Task, identity: Identity) -> None:
    """The rows ``service.record_assignment`` writes, for a task nothing else in the transaction changes
    (``task`` stays transient)."""
    at, detail = task.created_at, assignment_detail(task)
    trace_row = trace_values(task=task, identity=identity, action="assigned", at=at, detail=detail)
    event = assigned_event(task, identity, task.created_at)
    tables = (table_of(Task), table_of(TaskScope), table_of(TaskEvent), table_of(tables_of(session).outbox))
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        await session.execute(tables[0].insert(), [_values(task)])
        await session.execute(tables[1].insert(), scope_rows(task))
        await session.execute(tables[2].insert(), [trace_row])
        await add_events(session=session, source=SOURCE, events=[event])
        return
    notify = relay_notify(session)
    statement = _statement(dialect, *tables, notify=notify is not None)
    _announced, outbox_row = envelope_and_row(SOURCE, event)
    scopes = [row["scope"] for row in scope_rows(task)]
    params = [*statement.row(_values(task)), scopes, *statement.event_row(trace_row)]
    params += statement.outbox_row(outbox_row | {"published_at": None, "attempts": 0, "last_error": None})
    await execute_staging(session=session, sql=statement.sql, params=params, notify=notify)


def _values(row: Task) -> dict[str, Any]:
    """The column values set on a transient row (unset ones take their column defaults)."""
    return {key: value for key, value in vars(row).items() if not key.startswith("_")}


class _Statement:
    """``WITH new_task AS (INSERT …), new_scope AS (INSERT … SELECT unnest(scopes)), new_trace AS (INSERT …)
    INSERT INTO outbox …``: PostgreSQL runs every data-modifying CTE once, to completion, in one statement.
    With ``notify`` the outbox row's ``attempts`` (0) comes from ``pg_notify`` of the last two parameters,
    as the kit's own outbox INSERT wakes other replicas' relays (``luoshi_kit.driver_sql.OutboxInsert``)."""

    def __init__(
        self, dialect: Dialect, task: Table, scope: Table, event: Table, outbox: Table, notify: bool
    ) -> None:
        self.row, self.event_row = ColumnValues(task, dialect), ColumnValues(event, dialect)
        count = len(task.columns)
        params = {c.key: (f"${n}", c.type.compile(dialect)) for n, c in enumerate(task.columns, 1)}
        params["task_id"] = params["id"]
        scopes = f"${count + 1}"  # the array of scope keys, then the trace's and the outbox's columns

        def insert(table: Table, rows: str) -> str:
            return insert_sql(dialect, table, list(table.columns), rows)

        picked = [
            f"unnest({scopes}::{c.type.compile(dialect)}[])"
            if c.key == "scope"
            else "{}::{}".format(*params[c.key])
            for c in scope.columns
        ]
        outbox_insert = OutboxInsert(dialect, outbox, notify=notify, first=count + 2 + len(event.columns))
        self.outbox_row = outbox_insert.values
        self.sql = (
            f"WITH new_task AS ({insert(task, placeholders(1, count))}), "
            f"new_scope AS ({insert(scope, 'SELECT ' + ', '.join(picked))}), "
            f"new_trace AS ({insert(event, placeholders(count + 2, len(event.columns)))}) "
            f"{outbox_insert.sql}"
        )


@cache
def _statement(
    dialect: Dialect, task: Table, scope: Table, event: Table, outbox: Table, *, notify: bool
) -> _Statement:
    return _Statement(dialect, task, scope, event, outbox, notify)
