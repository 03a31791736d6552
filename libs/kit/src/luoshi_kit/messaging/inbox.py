"""The idempotent consumer: each event's effect and its inbox row commit together, then it is acked."""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Dialect, Table
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luoshi_kit.db import table_of, tables_of, utcnow
from luoshi_kit.loopshare import LoopShare
from luoshi_kit.messaging.batch import finish_batch, forget_batch
from luoshi_kit.messaging.bus import Delivery, PoisonMessage
from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_kit.metrics import EVENTS_CONSUMED, EVENTS_DUPLICATE, EVENTS_FAILED
from luoshi_kit.tracing import current_traceparent
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.registry import EVENT_TYPES

log = logging.getLogger(__name__)


class EventConsumer:
    def __init__(
        self,
        *,
        service: str,
        sessionmaker: async_sessionmaker[AsyncSession],
        handlers: HandlerTable,
    ):
        self.service, self.sessionmaker, self.handlers = service, sessionmaker, handlers
        self.inbox = tables_of(sessionmaker).inbox

    def parse(self, delivery: Delivery) -> CloudEvent[Any] | None:
        """The typed event, or None when this service has no handler for its type. The type the publisher
        announced is trusted to skip an event and to choose the model, and checked against the body."""
        announced = delivery.event_type
        if announced and announced not in self.handlers:
            return None
        if announced:
            with contextlib.suppress(ValidationError, KeyError):
                event = _typed(announced).model_validate_json(delivery.body)
                if event.type == announced:
                    return event
            # Not what was announced: judged by its own type below, as an unannounced event is.
        try:
            raw = CloudEvent[dict[str, Any]].model_validate_json(delivery.body)  # type: ignore[type-var]
            if raw.type not in self.handlers:
                return None
            return _typed(raw.type).model_validate_json(delivery.body)
        except (ValidationError, KeyError) as exc:
            EVENTS_FAILED.labels(self.service, "malformed").inc()
            raise PoisonMessage(f"malformed event {delivery.message_id}: {exc}") from exc

    async def handle_batch(self, deliveries: Sequence[Delivery]) -> None:
        events, share = [], LoopShare()
        for delivery in deliveries:
            if (event := self.parse(delivery)) is not None:
                events.append(event)
            await share.turn()
        if not events:
            return
        async with self.sessionmaker() as session, session.begin():
            handled = await self._apply(session, events)
        _count_consumed(self.service, handled)

    async def handle_one(self, delivery: Delivery) -> None:
        event = self.parse(delivery)
        if event is None:
            return
        try:
            async with self.sessionmaker() as session, session.begin():
                handled = await self._apply(session, [event])
        except Exception:
            EVENTS_FAILED.labels(self.service, event.type).inc()
            raise
        _count_consumed(self.service, handled)

    async def _apply(self, session: AsyncSession, events: list[CloudEvent[Any]]) -> list[str]:
        """Run the handlers of the events not yet in the inbox; returns the types handled. What the
        handlers deferred (``luoshi_kit.messaging.batch``) is written once, at the end."""
        fresh = await self._claim(session, events)
        forget_batch(session)
        try:
            await self._prepare(session, fresh)
            share = LoopShare()
            for event in fresh:
                token = current_traceparent.set(event.traceparent)
                try:
                    await self.handlers[event.type](session=session, event=event)
                finally:
                    current_traceparent.reset(token)
                await share.turn()
            await finish_batch(session)
        finally:
            forget_batch(session)
        await session.flush()
        return [e.type for e in fresh]

    async def _claim(self, session: AsyncSession, events: list[CloudEvent[Any]]) -> list[CloudEvent[Any]]:
        """Insert the batch's inbox rows first, in one statement that skips ids already there and
        returns the new ones: the events to handle. A replica handling the same event concurrently
        makes this wait for its commit, then skip the event (no failed batch)."""
        unique = list({e.id: e for e in events}.values())
        dialect = session.get_bind().dialect
        if dialect.name == "postgresql":
            # Arrays, not a row of parameters per event: one statement text whatever the batch's size,
            # prepared once per connection (a multi-row VALUES is a new statement for each size).
            connection = await session.connection()
            claimed = await connection.exec_driver_sql(
                _postgres_claim(dialect, table_of(self.inbox)),
                ([e.id for e in unique], [e.type for e in unique], utcnow()),
            )
            new = set(claimed.scalars().all())
        else:
            rows = [{"event_id": e.id, "event_type": e.type, "handled_at": utcnow()} for e in unique]
            statement = _claim_statement(sqlite_insert, table_of(self.inbox))
            new = set((await session.scalars(statement, rows)).all())
        fresh = [e for e in unique if e.id in new]
        counted: set[str] = set()
        for event in events:  # already handled, or a second copy within the batch
            if event.id not in new or event.id in counted:
                EVENTS_DUPLICATE.labels(self.service, event.type).inc()
            counted.add(event.id)
        return fresh

    async def _prepare(self, session: AsyncSession, events: list[CloudEvent[Any]]) -> None:
        """Each handler's ``prepare`` once, with all the batch's events it will handle."""
        batches: dict[Any, list[CloudEvent[Any]]] = {}
        for event in events:
            if (prepare := self.handlers.prepare_of(event.type)) is not None:
                batches.setdefault(prepare, []).append(event)
        for prepare, mine in batches.items():
            await prepare(session=session, events=mine)


def _count_consumed(service: str, event_types: list[str]) -> None:
    for event_type, count in Counter(event_types).items():  # a labels lookup per type, not per event
        EVENTS_CONSUMED.labels(service, event_type).inc(count)


@lru_cache(maxsize=256)
def _typed(event_type: str) -> type[CloudEvent[Any]]:
    model: type[BaseModel] = EVENT_TYPES[event_type]
    return CloudEvent[model]  # type: ignore[valid-type]


@lru_cache(maxsize=32)
def _claim_statement(insert: Any, inbox: Table) -> Any:
    return insert(inbox).on_conflict_do_nothing().returning(inbox.c.event_id)


@lru_cache(maxsize=32)
def _postgres_claim(dialect: Dialect, inbox: Table) -> str:
    table = dialect.identifier_preparer.format_table(inbox)
    return (
        f"INSERT INTO {table} (event_id, event_type, handled_at)"  # nosec B608 (a table name)
        " SELECT unnest($1::varchar[]), unnest($2::varchar[]), $3::timestamptz"
        " ON CONFLICT DO NOTHING RETURNING event_id"
    )
