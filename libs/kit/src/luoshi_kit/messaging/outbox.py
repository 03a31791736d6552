"""Writing events into the transactional outbox. The caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Dialect, Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from luoshi_kit.db import ALONE, outbox_notify, stage_outbox_rows, table_of, tables_of, wake_relay
from luoshi_kit.driver_sql import RowWithEvent, execute_alone, execute_autocommit
from luoshi_kit.loopshare import LoopShare
from luoshi_kit.tracing import child_of, current_traceparent
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.registry import routing_key, schema_path, type_of


@dataclass(frozen=True)
class PendingEvent:
    """One event for ``add_events``: the same arguments ``add_event`` takes, minus session and source."""

    data: BaseModel
    orgcode: str
    subject: str | None = None
    event_type: str | None = None


def envelope_and_row(source: str, event: PendingEvent) -> tuple[CloudEvent[BaseModel], dict[str, Any]]:
    """The CloudEvent for ``event`` and its outbox row's values, for a caller that writes the row itself
    (tasking's one-statement task write); ``add_event`` and ``add_events`` use it."""
    event_type = type_of(event.data, event.event_type)
    envelope: CloudEvent[BaseModel] = CloudEvent(
        source=f"/luoshi/{source}",
        type=event_type,
        subject=event.subject,
        orgcode=event.orgcode,
        dataschema=schema_path(event_type),
        traceparent=child_of(current_traceparent.get()),
        data=event.data,
    )
    row = {
        "id": envelope.id,
        "event_type": event_type,
        "routing_key": routing_key(event_type, event.orgcode),
        "body": envelope.model_dump_json(),
        "created_at": envelope.time,
        "published_at": None,
        "last_error": None,
    }
    return envelope, row


def add_event(
    *,
    session: AsyncSession,
    source: str,
    data: BaseModel,
    orgcode: str,
    subject: str | None = None,
    event_type: str | None = None,
) -> CloudEvent[BaseModel]:
    """Stage ``data`` as a CloudEvent in the outbox; it is published only if the transaction commits.

    The row is written with one Core INSERT (with the transaction's other staged rows) at the next
    flush or at commit, outside the ORM unit of work (``luoshi_kit.db.stage_outbox_rows``)."""
    envelope, row = envelope_and_row(source, PendingEvent(data, orgcode, subject, event_type))
    stage_outbox_rows(session.sync_session, [row])
    return envelope


async def insert_with_event(
    *, session: AsyncSession, model: type[Any], values: dict[str, Any], source: str, event: PendingEvent
) -> CloudEvent[BaseModel]:
    """Insert one row of ``model`` and stage ``event`` with it: on PostgreSQL one statement (no ORM unit of
    work, nothing compiled per call; ``luoshi_kit.driver_sql.RowWithEvent``), so a write of one row needs
    no transaction of its own (``luoshi_kit.db.autocommit``); elsewhere a Core INSERT and ``add_event``.
    The session's commit wakes the relay, as after ``add_event``."""
    envelope, outbox_row = envelope_and_row(source, event)
    table = table_of(model)
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        await session.execute(table.insert(), [values])
        stage_outbox_rows(session.sync_session, [outbox_row])
        return envelope
    notify = relay_notify(session)
    statement = _row_with_event(dialect, table, table_of(tables_of(session).outbox), notify is not None)
    params = [*statement.row(values), *statement.outbox.values(outbox_row)]
    await execute_staging(session=session, sql=statement.sql, params=params, notify=notify)
    return envelope


def relay_notify(session: AsyncSession) -> tuple[str, str] | None:
    """The (channel, payload) that driver SQL inserting outbox rows hands to ``pg_notify``, waking other
    replicas' relays (``luoshi_kit.driver_sql.OutboxInsert``); None for no NOTIFY
    (``luoshi_kit.db.outbox_notify``)."""
    return outbox_notify(session.info)


async def execute_staging(
    *, session: AsyncSession, sql: str, params: list[Any], notify: tuple[str, str] | None
) -> None:
    """Run driver SQL that inserts outbox rows, ``notify``'s two values as its last parameters; the
    session's commit wakes this process's relay, as after ``add_event``. After ``db.statement_alone`` it
    is committed as it returns and wakes the relay: run alone on a pooled connection of its own, or, where
    a read has begun the session's transaction (holding a connection: taking a second one could wait
    on a pool that every such request holds), in that transaction, committed with it."""
    args = (*params, *(notify or ()))
    alone = session.info.pop(ALONE, False)
    if alone and not session.in_transaction():
        assert isinstance(session.bind, AsyncEngine)  # db.statement_alone checked it
        await execute_alone(session.bind, sql, args)
        wake_relay(session)
        return
    await execute_autocommit(await session.connection(), sql, args)
    session.info["outbox_dirty"] = True
    if alone:
        await session.commit()


@lru_cache(maxsize=64)
def _row_with_event(dialect: Dialect, table: Table, outbox: Table, notify: bool) -> RowWithEvent:
    return RowWithEvent(dialect, table, outbox, notify=notify)


async def add_events(
    *, session: AsyncSession, source: str, events: Iterable[PendingEvent]
) -> list[CloudEvent[BaseModel]]:
    """Stage many events, written with one executemany INSERT now (same rows as ``add_event``): for
    bursts such as a deadline scan's backlog. Published only if the transaction commits. ``events`` may
    be a generator: it is consumed with turns for the event loop (``luoshi_kit.loopshare``)."""
    staged, share = [], LoopShare()
    for event in events:
        staged.append(envelope_and_row(source, event))
        await share.turn()
    if staged:
        stage_outbox_rows(session.sync_session, [row for _e, row in staged])
        await session.flush()
    return [envelope for envelope, _row in staged]
