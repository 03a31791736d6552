"""A new task's rows — the task, its ``task_scope`` rows, its trace, its outbox event — off the unit of work.

On PostgreSQL the four INSERTs go as one data-modifying CTE (issue 10: each statement cost ~0.3–0.5 ms of
SQLAlchemy and asyncpg CPU and a round trip). Its SQL is built once per process from the tables and sent as
driver SQL, so nothing is compiled per request and asyncpg reuses the statement it prepared on the
connection; each value still goes through its column type's bind processor (JSON, UTC datetimes). Other
databases (SQLite, the embedded mode) take the four Core INSERTs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy import Column, Dialect, Table
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import table_of, tables_of
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_events, envelope_and_row
from luoshi_tasking.tasks.lifecycle import SOURCE, assigned_event, trace_values
from luoshi_tasking.tasks.models import Task, TaskEvent, TaskScope
from luoshi_tasking.tasks.scopes import scope_rows

Processor = Callable[[Any], Any] | None


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
    notify: tuple[str, str] | None = session.info.get("outbox_notify")
    statement = _statement(dialect, *tables, notify=notify is not None)
    _announced, outbox_row = envelope_and_row(SOURCE, event)
    scopes = [row["scope"] for row in scope_rows(task)]
    params = [*statement.row(_values(task)), scopes, *statement.event_row(trace_row)]
    params += statement.outbox_row(outbox_row | {"published_at": None, "attempts": 0, "last_error": None})
    params += notify or ()
    connection = await session.connection()
    await connection.exec_driver_sql(statement.sql, tuple(params))
    session.info["outbox_dirty"] = True  # wakes the relay after the commit, as add_events does


def _values(row: Task) -> dict[str, Any]:
    """The column values set on a transient row (unset ones take their column defaults)."""
    return {key: value for key, value in vars(row).items() if not key.startswith("_")}


class _Columns:
    """One table's columns in statement order (but ``skip``), each with its default and bind processor."""

    def __init__(self, table: Table, dialect: Dialect, skip: tuple[str, ...] = ()) -> None:
        self.columns: list[Column[Any]] = [c for c in table.columns if c.key not in skip]
        self.processors: list[Processor] = [
            c.type.dialect_impl(dialect).bind_processor(dialect) for c in self.columns
        ]

    def __call__(self, values: dict[str, Any]) -> list[Any]:
        out = []
        for column, process in zip(self.columns, self.processors, strict=True):
            value = values[column.key] if column.key in values else _default(column)
            out.append(process(value) if process is not None and value is not None else value)
        return out


def _default(column: Column[Any]) -> Any:
    default: Any = column.default
    if default is None:
        return None
    return default.arg(None) if default.is_callable else default.arg


class _Statement:
    """``WITH new_task AS (INSERT …), new_scope AS (INSERT … SELECT unnest(scopes)), new_trace AS (INSERT …)
    INSERT INTO outbox …``: PostgreSQL runs every data-modifying CTE once, to completion, in one statement.
    With ``notify`` the outbox row's ``attempts`` (0) comes from ``pg_notify`` of the last two parameters,
    as the kit's own outbox INSERT wakes other replicas' relays (``luoshi_kit.db._outbox_insert``)."""

    def __init__(
        self, dialect: Dialect, task: Table, scope: Table, event: Table, outbox: Table, notify: bool
    ) -> None:
        self.row, self.event_row = _Columns(task, dialect), _Columns(event, dialect)
        self.outbox_row = _Columns(outbox, dialect, skip=("attempts",) if notify else ())
        quote = dialect.identifier_preparer
        count = len(task.columns)
        params = {c.key: (f"${n}", c.type.compile(dialect)) for n, c in enumerate(task.columns, 1)}
        params["task_id"] = params["id"]
        scopes = f"${count + 1}"  # the array of scope keys, then the trace's and the outbox's columns

        def insert(table: Table, rows: str, columns: list[Column[Any]] | None = None) -> str:
            names = ", ".join(quote.quote(c.name) for c in (columns or table.columns))
            return f"INSERT INTO {quote.format_table(table)} ({names}) {rows}"

        def values(first: int, count: int, extra: str = "") -> str:
            return "VALUES (" + ", ".join(f"${first + i}" for i in range(count)) + extra + ")"

        picked = [
            f"unnest({scopes}::{c.type.compile(dialect)}[])"
            if c.key == "scope"
            else "{}::{}".format(*params[c.key])
            for c in scope.columns
        ]
        outbox_columns = list(self.outbox_row.columns)
        first = count + 2 + len(event.columns)
        woken = ""
        if notify:
            last = first + len(outbox_columns)
            woken = f", (SELECT 0 FROM pg_notify(${last}::text, ${last + 1}::text))"  # nosec B608 (numbers)
        outbox_values = values(first, len(outbox_columns), woken)
        if notify:
            outbox_columns.append(outbox.c.attempts)
        self.sql = (
            f"WITH new_task AS ({insert(task, values(1, count))}), "
            f"new_scope AS ({insert(scope, 'SELECT ' + ', '.join(picked))}), "
            f"new_trace AS ({insert(event, values(count + 2, len(event.columns)))}) "
            f"{insert(outbox, outbox_values, outbox_columns)}"
        )


@cache
def _statement(
    dialect: Dialect, task: Table, scope: Table, event: Table, outbox: Table, *, notify: bool
) -> _Statement:
    return _Statement(dialect, task, scope, event, outbox, notify)
