"""The outbox relay: publishes committed outbox rows with confirms and marks them sent.

Safe with several replicas: each claims its rows with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL), so no
two replicas publish the same row at once. A row whose publish failed stays unsent and is retried.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luoshi_kit.db import tables_of, utcnow
from luoshi_kit.messaging.bus import Bus, OutgoingMessage
from luoshi_kit.metrics import EVENTS_PUBLISH_FAILED, EVENTS_PUBLISHED, OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE

log = logging.getLogger(__name__)
HOUSEKEEPING_SECONDS = 5.0
MAX_BACKOFF_SECONDS = 5.0


class OutboxRelay:
    def __init__(
        self,
        *,
        service: str,
        bus: Bus,
        sessionmaker: async_sessionmaker[AsyncSession],
        batch_size: int = 500,
        poll_seconds: float = 0.25,
        keep_days: int = 7,
    ):
        self.service, self.bus, self.sessionmaker = service, bus, sessionmaker
        self.batch_size, self.poll_seconds, self.keep_days = batch_size, poll_seconds, keep_days
        self.model = tables_of(sessionmaker).outbox
        self.wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self.wakeup.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"outbox-relay-{self.service}")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def run(self) -> None:
        failures = 0
        last_housekeeping = 0.0
        loop = asyncio.get_running_loop()
        while True:
            if not await self.bus.healthy():
                await asyncio.sleep(0.2)  # the broker is away; rows wait safely in the outbox
                continue
            # Clear before the round, not after: a commit landing during the round must leave its
            # wake-up set, or its row waits for the next poll.
            self.wakeup.clear()
            try:
                published, failed = await self.publish_batch()
                failures = failures + 1 if failed else 0
                if loop.time() - last_housekeeping > HOUSEKEEPING_SECONDS:
                    last_housekeeping = loop.time()
                    await self.housekeeping()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay round failed")
                published, failures = 0, failures + 1
            if failures:
                # Broker or database trouble: back off and ignore wake-ups until it passes.
                await asyncio.sleep(min(0.2 * 2 ** (failures - 1), MAX_BACKOFF_SECONDS))
                continue
            if published >= self.batch_size:
                continue  # more is waiting
            try:
                await asyncio.wait_for(self.wakeup.wait(), timeout=self.poll_seconds)
            except TimeoutError:
                pass

    async def publish_batch(self) -> tuple[int, int]:
        """Publish one batch; returns (published, failed)."""
        model = self.model
        async with self.sessionmaker() as session, session.begin():
            rows = (
                await session.scalars(
                    select(model)
                    .where(model.published_at.is_(None))
                    .order_by(model.created_at)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0, 0
            messages = [OutgoingMessage(r.id, r.event_type, r.routing_key, r.body.encode()) for r in rows]
            results = await self.bus.publish(messages)
            now = utcnow()
            sent = [row.id for row, error in zip(rows, results, strict=True) if error is None]
            if sent:
                await session.execute(update(model).where(model.id.in_(sent)).values(published_at=now))
            for row, error in zip(rows, results, strict=True):
                if error is None:
                    EVENTS_PUBLISHED.labels(self.service, row.event_type).inc()
                else:
                    row.attempts += 1
                    row.last_error = f"{type(error).__name__}: {error}"[:1000]
                    EVENTS_PUBLISH_FAILED.labels(self.service, row.event_type, type(error).__name__).inc()
            failed = len(rows) - len(sent)
            if failed:
                log.error("outbox: %d of %d events not published: %s", failed, len(rows), rows[-1].last_error)
            return len(sent), failed

    async def housekeeping(self) -> None:
        """Refresh the backlog gauges and drop rows published more than ``keep_days`` ago."""
        model = self.model
        async with self.sessionmaker() as session, session.begin():
            count, oldest = (
                await session.execute(
                    select(func.count(), func.min(model.created_at)).where(model.published_at.is_(None))
                )
            ).one()
            OUTBOX_BACKLOG.labels(self.service).set(count)
            age = (utcnow() - oldest).total_seconds() if oldest else 0.0
            OUTBOX_OLDEST_AGE.labels(self.service).set(age)
            cutoff = utcnow() - timedelta(days=self.keep_days)
            await session.execute(delete(model).where(model.published_at < cutoff))

    async def backlog(self) -> int:
        model = self.model
        async with self.sessionmaker() as session:
            return int(
                await session.scalar(
                    select(func.count()).select_from(model).where(model.published_at.is_(None))
                )
                or 0
            )
