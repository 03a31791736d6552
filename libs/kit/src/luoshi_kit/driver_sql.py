"""INSERTs as driver SQL built once per process, for the hottest writes (issue 10).

A Core ``execute`` of even a cached statement pays per call for its cache key, parameter processing and
result set; ``exec_driver_sql`` of a string built once skips the first two, and asyncpg reuses the statement
it prepared on the connection. Each value still goes through its column type's bind processor (JSON, UTC
datetimes), and a missing value takes its column's Python-side default, as Core would.
PostgreSQL only (``$n`` parameters); other databases keep Core statements.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, Dialect, Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util import greenlet_spawn

Processor = Callable[[Any], Any] | None


class ColumnValues:
    """One table's columns in statement order (but ``skip``), each with its default and bind processor:
    called with a row's values, the row's parameters in that order."""

    def __init__(self, table: Table, dialect: Dialect, skip: tuple[str, ...] = ()) -> None:
        self.columns: list[Column[Any]] = [c for c in table.columns if c.key not in skip]
        self.processors: list[Processor] = [
            c.type.dialect_impl(dialect).bind_processor(dialect) for c in self.columns
        ]

    def __call__(self, values: dict[str, Any]) -> list[Any]:
        out = []
        for column, process in zip(self.columns, self.processors, strict=True):
            value = values[column.key] if column.key in values else column_default(column)
            out.append(process(value) if process is not None and value is not None else value)
        return out


def column_default(column: Column[Any]) -> Any:
    default: Any = column.default
    if default is None:
        return None
    return default.arg(None) if default.is_callable else default.arg


def insert_sql(dialect: Dialect, table: Table, columns: list[Column[Any]], rows: str) -> str:
    """``INSERT INTO table (columns) rows``, names quoted for ``dialect``."""
    quote = dialect.identifier_preparer
    names = ", ".join(quote.quote(c.name) for c in columns)
    return f"INSERT INTO {quote.format_table(table)} ({names}) {rows}"


def placeholders(first: int, count: int, extra: str = "") -> str:
    """``VALUES ($first, …, $(first + count - 1)extra)``."""
    return "VALUES (" + ", ".join(f"${first + i}" for i in range(count)) + extra + ")"


class OutboxInsert:
    """The outbox's one-row INSERT, its parameters numbered from ``first`` (a statement may put it after
    others); with ``notify`` its ``attempts`` (0) comes from ``pg_notify`` of the last two parameters, so
    other replicas' relays are woken at commit without another round trip."""

    def __init__(self, dialect: Dialect, outbox: Table, *, notify: bool, first: int = 1) -> None:
        self.values = ColumnValues(outbox, dialect, skip=("attempts",) if notify else ())
        columns = list(self.values.columns)
        woken = ""
        if notify:
            last = first + len(columns)
            woken = f", (SELECT 0 FROM pg_notify(${last}::text, ${last + 1}::text))"  # nosec B608 (numbers)
            columns.append(outbox.c.attempts)
        self.sql = insert_sql(dialect, outbox, columns, placeholders(first, len(self.values.columns), woken))


class RowWithEvent:
    """One row of ``table`` and its outbox event as one statement: ``WITH new_row AS (INSERT …) INSERT INTO
    outbox …`` (PostgreSQL runs a data-modifying CTE once, to completion). Parameters: the row's columns,
    then the outbox row's, then the NOTIFY channel and payload if ``notify``."""

    def __init__(self, dialect: Dialect, table: Table, outbox: Table, *, notify: bool) -> None:
        self.row = ColumnValues(table, dialect)
        count = len(self.row.columns)
        self.outbox = OutboxInsert(dialect, outbox, notify=notify, first=count + 1)
        row_insert = insert_sql(dialect, table, self.row.columns, placeholders(1, count))
        self.sql = f"WITH new_row AS ({row_insert}) {self.outbox.sql}"


def asyncpg_connection(connection: AsyncConnection) -> Any:
    """The driver's connection under an established SQLAlchemy connection (no I/O, no greenlet switch,
    unlike ``get_raw_connection``): asyncpg's where the engine is PostgreSQL's."""
    established = connection.sync_connection
    assert established is not None, "an established connection (after connect or session.connection())"
    return established.connection.driver_connection


def autocommitting_driver(connection: AsyncConnection) -> Any | None:
    """The asyncpg connection under an established SQLAlchemy connection in autocommit, to run one
    statement on asyncpg itself: SQLAlchemy's cursor layer around it (a greenlet switch, its cursor and
    result adaption) costs about a tenth of a one-statement write's CPU (issue 10). None where the
    connection may hold a transaction (SQLAlchemy's asyncpg adapter begins it lazily, so a statement run
    beside it would commit alone) or is not asyncpg's."""
    established = connection.sync_connection
    adapted = established.connection.dbapi_connection if established is not None else None
    if not getattr(adapted, "autocommit", False) or connection.dialect.driver != "asyncpg":
        return None
    return asyncpg_connection(connection)


async def execute_autocommit(connection: AsyncConnection, sql: str, args: tuple[Any, ...]) -> None:
    """Run driver SQL on asyncpg itself where the connection is in autocommit, else through SQLAlchemy.
    A statement that fails on asyncpg wrote nothing (it was its own transaction): it is run once more
    through SQLAlchemy, so the caller sees SQLAlchemy's error (an IntegrityError, a lost connection
    invalidated), as without this shortcut."""
    driver = autocommitting_driver(connection)
    if driver is not None:
        with contextlib.suppress(Exception):  # run again below, for SQLAlchemy's own error
            await driver.execute(sql, *args)
            return
    await connection.exec_driver_sql(sql, args)


async def execute_alone(engine: AsyncEngine, sql: str, args: tuple[Any, ...]) -> None:
    """Run driver SQL as its own transaction on a connection of ``engine``'s pool taken for it alone, on
    asyncpg itself: no session, no SQLAlchemy connection or cursor around it (a session's begin and commit
    around a one-statement write cost ~0.1 ms of CPU, its connection as much again; this ~0.03 ms,
    issue 10). A statement refused there wrote nothing and is run once more through SQLAlchemy, so the
    caller sees SQLAlchemy's error (an IntegrityError), as from ``execute_autocommit``; a connection lost
    under it is invalidated first."""
    pooled = await engine.raw_connection()
    try:
        await pooled.driver_connection.execute(sql, *args)  # type: ignore[union-attr]
        return
    except Exception:
        if pooled.driver_connection.is_closed():  # type: ignore[union-attr]
            await greenlet_spawn(pooled.invalidate)
    finally:
        pooled.close()  # back to the pool; its reset sends nothing (no transaction was begun on it)
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.exec_driver_sql(sql, args)
