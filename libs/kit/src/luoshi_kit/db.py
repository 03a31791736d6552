"""Database engine, sessions, and the outbox/inbox tables each service maps on its declarative base."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    DateTime,
    Dialect,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    event,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy import (
    inspect as sa_inspect,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, declared_attr, mapped_column
from sqlalchemy.sql.dml import Insert

from luoshi_kit.driver_sql import OutboxInsert

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


_Mapped = TypeVar("_Mapped")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on PostgreSQL and SQLite alike (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class _KitTable:
    """What mypy should know of a kit table before it is mixed into a service's declarative base:
    keyword construction, as ``DeclarativeBase`` itself declares it."""

    if TYPE_CHECKING:

        def __init__(self, **kw: Any) -> None: ...


class OutboxMixin(_KitTable):
    """An event written in the same transaction as the change it announces (transactional outbox).

    Each service maps it on its own base: ``class OutboxEvent(OutboxMixin, Base): pass``."""

    __tablename__ = "outbox"

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Index]:
        return (Index("ix_outbox_pending", "published_at", "created_at"),)  # one Index per mapped table

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(120))
    routing_key: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class InboxMixin(_KitTable):
    """An event this service has handled; written in the same transaction as the effect.

    Each service maps it on its own base: ``class InboxEvent(InboxMixin, Base): pass``."""

    __tablename__ = "inbox"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(120))
    handled_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


@dataclass(frozen=True)
class ServiceTables:
    """A service's declarative base and its mapped outbox and inbox classes (see a service's ``db.py``).

    The sessionmaker carries it, so the kit's outbox, relay and consumer find the service's tables."""

    base: type[DeclarativeBase]
    outbox: type[OutboxMixin]
    inbox: type[InboxMixin]

    def __post_init__(self) -> None:
        for table in (self.outbox, self.inbox):
            if not issubclass(table, self.base):
                raise TypeError(f"{table.__name__} is not mapped on {self.base.__name__}")


def table_of(model: type[DeclarativeBase] | type[_KitTable]) -> Table:
    """The ``Table`` a model is mapped to, for Core statements (``Model.__table__`` is typed as the
    wider ``FromClause``, which has no ``insert()``/``update()``/``delete()``)."""
    table = sa_inspect(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a single table")
    return table


def tables_of(target: AsyncSession | Session | async_sessionmaker[AsyncSession]) -> ServiceTables:
    """The ``ServiceTables`` of a session or sessionmaker made by ``make_sessionmaker``."""
    info = target.kw["info"] if isinstance(target, async_sessionmaker) else target.info
    tables = info.get("tables")
    if not isinstance(tables, ServiceTables):
        raise LookupError("this session was not made by luoshi_kit.db.make_sessionmaker")
    return tables


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # No pre-ping: it doubles the round trips of every checkout; recycling bounds stale connections.
    # Up to twice ``pool_size`` connections, all kept once opened (no overflow): an overflow connection
    # closed on its return was opened again at the next burst — a connect, TLS and a PostgreSQL backend
    # per request at 16 concurrent requests (issue 10). The pool opens them only as load needs them.
    # Custom plans only: asyncpg prepares every statement, and after five runs PostgreSQL may switch a
    # prepared statement to a generic plan that ignores the parameters' values — for the task list page
    # that cost 25 ms of PostgreSQL CPU per page instead of 0.6 (issue 10, bench/RESULTS.md).
    return create_async_engine(
        url,
        pool_size=2 * pool_size,
        max_overflow=0,
        pool_recycle=1800,
        connect_args={"server_settings": {"plan_cache_mode": "force_custom_plan"}},
    )


OUTBOX_STAGED = "outbox_staged"


class _Session(Session):
    """Writes the outbox rows ``add_event`` staged (one Core INSERT, no ORM unit of work) before each
    flush and before commit, and tells the outbox relay, right after a commit, that it wrote events."""

    def flush(self, objects: Sequence[Any] | None = None) -> None:
        _write_staged_outbox(self)  # autoflush comes here too: a query in the transaction sees the rows
        super().flush(objects)


def stage_outbox_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Outbox rows to write with the transaction (``messaging.outbox.add_event``)."""
    session.info.setdefault(OUTBOX_STAGED, []).extend(rows)
    session.info["outbox_dirty"] = True


def _write_staged_outbox(session: Session) -> None:
    rows = session.info.pop(OUTBOX_STAGED, None)
    if not rows:
        return
    tables, notify = tables_of(session), outbox_notify(session.info)
    connection = session.connection()
    if len(rows) == 1 and connection.dialect.name == "postgresql":
        # The common case, one event per transaction: driver SQL built once (no Core execute).
        statement = _outbox_driver_insert(connection.dialect, tables, notify is not None)
        connection.exec_driver_sql(statement.sql, (*statement.values(rows[0]), *(notify or ())))
        return
    # One row: a plain execute (an executemany of one row costs asyncpg a good deal more).
    connection.execute(_outbox_insert(tables, notify), rows[0] if len(rows) == 1 else rows)


@lru_cache(maxsize=64)
def _outbox_driver_insert(dialect: Dialect, tables: ServiceTables, notify: bool) -> OutboxInsert:
    return OutboxInsert(dialect, table_of(tables.outbox), notify=notify)


@lru_cache(maxsize=64)
def _outbox_insert(tables: ServiceTables, notify: tuple[str, str] | None) -> Insert:
    statement = table_of(tables.outbox).insert()
    if notify is None:
        return statement
    # NOTIFY in the same statement (no extra round trip), delivered by PostgreSQL at commit to the
    # relays of every replica (``OutboxRelay`` LISTENs); repeats within a transaction fold into one.
    channel, payload = notify
    return statement.values(
        attempts=select(literal_column("0")).select_from(func.pg_notify(channel, payload)).scalar_subquery()
    )


@event.listens_for(_Session, "before_commit")
def _write_outbox(session: Session) -> None:
    _write_staged_outbox(session)


@event.listens_for(_Session, "after_commit")
def _wake_relay(session: Session) -> None:
    if session.info.pop("outbox_dirty", False) and (wake := session.info.get("on_outbox_commit")):
        wake()


@event.listens_for(_Session, "after_rollback")
def _forget_outbox(session: Session) -> None:
    session.info.pop("outbox_dirty", None)


@event.listens_for(_Session, "after_transaction_end")
def _drop_unwritten_outbox(session: Session, _transaction: Any) -> None:
    # Rows still staged here belong to a transaction (or savepoint) that did not commit.
    session.info.pop(OUTBOX_STAGED, None)


def outbox_notify(info: dict[str, Any]) -> tuple[str, str] | None:
    """The (channel, payload) a session's outbox INSERT hands to ``pg_notify``, or None for no NOTIFY:
    none on SQLite, and none while this process's own relay is publishing (``OutboxRelay.publishing``),
    which the commit hook wakes. Waking the other replicas' relays then would only have each run an
    empty round for every event, N − 1 wasted rounds per commit with N replicas. A process whose relay
    cannot publish now (none runs in it, the broker is away, its rounds fail) NOTIFYs, so that another
    replica's relay publishes its events at once."""
    relay = info.get("outbox_relay")
    if relay is not None and relay.publishing:
        return None
    notify: tuple[str, str] | None = info.get("outbox_notify")
    return notify


def outbox_channel(tables: ServiceTables) -> str:
    """The PostgreSQL NOTIFY channel of a service's outbox (channels are per database, like the table)."""
    return f"luoshi_outbox_{table_of(tables.outbox).fullname}".replace(".", "_")


def make_sessionmaker(
    engine: AsyncEngine, tables: ServiceTables, on_outbox_commit: Callable[[], None] | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions whose commits wake ``on_outbox_commit`` (this process's relay) and, on PostgreSQL,
    NOTIFY ``outbox_channel(tables)`` with this sessionmaker's id as payload (other replicas' relays)
    when this process's relay cannot publish them (``outbox_notify``)."""
    notify = (outbox_channel(tables), uuid.uuid4().hex) if engine.dialect.name == "postgresql" else None
    return async_sessionmaker(
        engine,
        expire_on_commit=False,
        sync_session_class=_Session,
        info={"tables": tables, "on_outbox_commit": on_outbox_commit, "outbox_notify": notify},
    )


async def snapshot_reads(session: AsyncSession) -> None:
    """Begin the session's transaction so that every read in it sees one snapshot: REPEATABLE READ on
    PostgreSQL (whose default, READ COMMITTED, lets a figure and the rows it sums come from different
    commits); on SQLite an explicit BEGIN, since pysqlite begins a transaction only before a write and
    each read would otherwise see the latest commit. Call it before the first statement."""
    if session.get_bind().dialect.name == "postgresql":
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    elif session.get_bind().dialect.name == "sqlite":
        await session.execute(text("BEGIN"))  # deferred: the snapshot is taken at the first read


def transient(cls: type[_Mapped], values: dict[str, Any]) -> _Mapped:
    """An instance of the mapped ``cls`` holding ``values``, made without the constructor's attribute
    events (for a table of some 30 columns the constructor cost ~15 times as much): for a row that a Core
    statement writes and the code reads back — never one to add to a session (it has no history)."""
    instance: _Mapped = sa_inspect(cls).class_manager.new_instance()
    instance.__dict__.update(values)
    return instance


async def autocommit(session: AsyncSession) -> None:
    """No BEGIN and no COMMIT round trips around the session's statements on PostgreSQL: each one commits
    (a read: ends) by itself. For work of one statement — a read that must not pay for a transaction, a
    write whose rows one statement writes — never for work of several writes. The session's commit still
    runs its hooks (the outbox relay's wake-up). Call it before the first statement."""
    if session.get_bind().dialect.name == "postgresql":
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


ALONE = "statement_alone"


def statement_alone(session: AsyncSession) -> bool:
    """Let the next write the outbox stages with driver SQL (``messaging.outbox.execute_staging``: one
    statement, atomic by itself) run alone, outside the session: on a pooled connection of its own, with
    no session transaction or commit around it (``driver_sql.execute_alone``), waking the relay as it
    returns. For work whose writes are that one statement and whose reads need not share its snapshot;
    reads before it begin the session's transaction as usual, and the statement then runs in it and
    commits it.
    PostgreSQL only, a session bound to an engine (a pool to take from): True there; False elsewhere,
    where the caller's transaction stays the one to commit."""
    if not isinstance(session.bind, AsyncEngine) or session.bind.dialect.name != "postgresql":
        return False
    session.info[ALONE] = True
    return True


def wake_relay(session: AsyncSession) -> None:
    """Tell this process's relay that events were committed (the commit hook's wake-up, for a write
    committed outside the session)."""
    if wake := session.info.get("on_outbox_commit"):
        wake()


async def database_ready(engine: AsyncEngine) -> bool:
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


async def upsert(session: AsyncSession, model: type[DeclarativeBase], values: dict[str, object]) -> None:
    """INSERT … ON CONFLICT (primary key) DO UPDATE in one statement (PostgreSQL and SQLite).

    Replicas fed by events use it: much cheaper than ``session.merge`` (a SELECT, then a write).
    """
    table: Any = model.__table__
    keys = [c.name for c in table.primary_key.columns]
    insert: Any = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={k: statement.excluded[k] for k in values if k not in keys}
    )
    await session.execute(statement)
