"""``add_event`` stages its row off the ORM unit of work: written at the next flush or at commit, gone
with a rollback or a rolled-back savepoint; on PostgreSQL its INSERT NOTIFYs the other replicas' relays."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import MetaData, String, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from luoshi_kit.db import (
    NAMING,
    InboxMixin,
    OutboxMixin,
    ServiceTables,
    autocommit,
    make_engine,
    make_sessionmaker,
    statement_alone,
)
from luoshi_kit.messaging.bus import OutgoingMessage
from luoshi_kit.messaging.outbox import PendingEvent, add_event, insert_with_event
from luoshi_kit.messaging.relay import OutboxRelay
from luoshi_proto.tasking.v1 import Actor, TaskAccepted, TaskRef

ORG = "520102000000"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class OutboxEvent(OutboxMixin, Base):
    pass


class InboxEvent(InboxMixin, Base):
    pass


class Thing(Base):
    __tablename__ = "thing"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)


TABLES = ServiceTables(base=Base, outbox=OutboxEvent, inbox=InboxEvent)


def _accepted(task_id: str) -> TaskAccepted:
    ref = TaskRef(
        task_id=task_id, title="t", issuing_org="520000000000", lead_unit=ORG, deadline=date(2026, 12, 31)
    )
    return TaskAccepted(task=ref, by=Actor(person_id="p", org_code=ORG), at=datetime.now(UTC))


def _stage(session: AsyncSession, task_id: str) -> str:
    return add_event(
        session=session, source="tasking", data=_accepted(task_id), orgcode=ORG, subject=task_id
    ).id


async def _outbox_ids(session: AsyncSession) -> set[str]:
    return set((await session.scalars(select(OutboxEvent.id))).all())


async def _maker(tmp_path: Path, woken: list[int]) -> async_sessionmaker[AsyncSession]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    return make_sessionmaker(engine, TABLES, on_outbox_commit=lambda: woken.append(1))


async def test_staged_rows_are_written_at_flush_and_commit(tmp_path: Path) -> None:
    woken: list[int] = []
    maker = await _maker(tmp_path, woken)
    async with maker() as session, session.begin():
        first = _stage(session, "a")
        session.add(Thing(id="x"))
        # A query autoflushes: the staged row is visible in its own transaction.
        assert await _outbox_ids(session) == {first}
        second = _stage(session, "b")  # nothing else to flush: written by the commit
    async with maker() as session:
        assert await _outbox_ids(session) == {first, second}
        row = await session.get(OutboxEvent, second)
        assert row is not None and row.attempts == 0 and row.published_at is None
    assert woken == [1]
    await maker.kw["bind"].dispose()


async def test_rollbacks_drop_what_they_staged(tmp_path: Path) -> None:
    woken: list[int] = []
    maker = await _maker(tmp_path, woken)
    async with maker() as session:
        async with session.begin():
            _stage(session, "gone")
            session.add(Thing(id="x"))
            await session.flush()
            await session.rollback()
        async with session.begin():
            kept = _stage(session, "kept")
            try:
                async with session.begin_nested():
                    _stage(session, "refused")
                    raise ValueError("refused in its savepoint")
            except ValueError:
                pass
            released = None
            async with session.begin_nested():
                released = _stage(session, "released")
    async with maker() as session:
        assert await _outbox_ids(session) == {kept, released}
        assert await session.scalar(select(func.count()).select_from(Thing)) == 0
    assert woken == [1]
    await maker.kw["bind"].dispose()


class _Bus:
    def __init__(self) -> None:
        self.published: list[str] = []
        self.any = asyncio.Event()

    async def healthy(self) -> bool:
        return True

    async def publish(self, messages: Sequence[OutgoingMessage]) -> list[BaseException | None]:
        self.published += [m.message_id for m in messages]
        self.any.set()
        return [None] * len(messages)


async def _stage_in_a_transaction(maker: async_sessionmaker[AsyncSession], task_id: str) -> str:
    async with maker() as session, session.begin():
        return _stage(session, task_id)


async def _one_statement(maker: async_sessionmaker[AsyncSession], task_id: str) -> str:
    """A row and its event with one statement, outside a transaction, as tasking writes a task."""
    async with maker() as session:
        await autocommit(session)
        event = PendingEvent(_accepted(task_id), ORG, task_id)
        envelope = await insert_with_event(
            session=session, model=Thing, values={"id": task_id}, source="tasking", event=event
        )
        await session.commit()
    return envelope.id


async def _alone(maker: async_sessionmaker[AsyncSession], task_id: str) -> str:
    """The same statement run alone (``statement_alone``), as tasking's create runs it: no commit."""
    async with maker() as session:
        assert statement_alone(session)
        event = PendingEvent(_accepted(task_id), ORG, task_id)
        envelope = await insert_with_event(
            session=session, model=Thing, values={"id": task_id}, source="tasking", event=event
        )
        assert not session.in_transaction()  # the session never began one
    return envelope.id


Write = Callable[[async_sessionmaker[AsyncSession], str], Awaitable[str]]


async def _other_replica_wakes(url: str, write: Write) -> tuple[float, list[str], str]:
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    writer = make_sessionmaker(engine, TABLES)  # replica 1: commits, runs no relay here
    reader = make_sessionmaker(engine, TABLES)  # replica 2: its relay polls only every 30 s
    bus = _Bus()
    relay = OutboxRelay(
        service="tasking",
        bus=bus,  # type: ignore[arg-type]
        sessionmaker=reader,
        poll_seconds=30,
        listening_poll_seconds=30,
    )
    relay.start()
    try:
        for _ in range(100):
            if relay._listening and not relay.wakeup.is_set():
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # the first round (run on connecting) is over
        event_id = await write(writer, "n")
        committed = asyncio.get_running_loop().time()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(bus.any.wait(), timeout=5)
        async with writer() as session:
            assert await session.scalar(select(Thing.id)) == (
                None if write is _stage_in_a_transaction else "n"
            )
        for _ in range(100):  # the relay marks what it published (one array UPDATE on PostgreSQL)
            if not await relay.backlog():
                break
            await asyncio.sleep(0.05)
        assert await relay.backlog() == 0
        return asyncio.get_running_loop().time() - committed, bus.published, event_id
    finally:
        await relay.stop()
        await engine.dispose()


@pytest.mark.parametrize("write", [_stage_in_a_transaction, _one_statement, _alone])
def test_a_commit_wakes_the_relay_of_another_replica(postgres_url: str, write: Write) -> None:
    waited, published, event_id = asyncio.run(_other_replica_wakes(postgres_url, write))
    assert published == [event_id]
    assert waited < 1.0  # NOTIFY, not the 30 s poll


async def test_a_row_and_its_event_in_one_statement_elsewhere(tmp_path: Path) -> None:
    woken: list[int] = []
    maker = await _maker(tmp_path, woken)
    event_id = await _one_statement(maker, "s")
    async with maker() as session:
        assert await _outbox_ids(session) == {event_id}
        assert await session.scalar(select(Thing.id)) == "s"
    assert woken == [1]


async def _refusals(url: str, write: Write) -> tuple[type[BaseException], set[str], set[str]]:
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    maker = make_sessionmaker(engine, TABLES)
    try:
        first = await write(maker, "dup")  # on asyncpg itself (autocommit, or alone)
        refused: type[BaseException] = type(None)  # type: ignore[assignment]
        try:
            await write(maker, "dup")
        except Exception as exc:
            refused = type(exc)
        async with maker() as session, session.begin():  # in a transaction: through SQLAlchemy, in it
            await insert_with_event(
                session=session,
                model=Thing,
                values={"id": "rolled-back"},
                source="tasking",
                event=PendingEvent(_accepted("rolled-back"), ORG, "rolled-back"),
            )
            await session.rollback()
        async with maker() as session:
            return (
                refused,
                await _outbox_ids(session) - {first},
                set((await session.scalars(select(Thing.id))).all()),
            )
    finally:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
        await engine.dispose()


@pytest.mark.parametrize("write", [_one_statement, _alone])
def test_a_refused_one_statement_write_raises_sqlalchemys_error_and_writes_nothing(
    postgres_url: str, write: Write
) -> None:
    """The one-statement write runs on asyncpg itself in autocommit or alone; refused there, it is run
    again through SQLAlchemy, so the caller sees SQLAlchemy's IntegrityError, as before. In a transaction
    it goes through SQLAlchemy, inside the transaction, and a rollback takes it back."""
    refused, other_events, things = asyncio.run(_refusals(postgres_url, write))
    assert refused is IntegrityError
    assert other_events == set() and things == {"dup"}


class _HalfBus(_Bus):
    """Refuses the events whose subject is "refused"."""

    async def publish(self, messages: Sequence[OutgoingMessage]) -> list[BaseException | None]:
        results: list[BaseException | None] = [
            ConnectionError("broker away") if b'"subject":"refused"' in m.body else None for m in messages
        ]
        self.published += [m.message_id for m, r in zip(messages, results, strict=True) if r is None]
        return results


async def _relay_round(
    url: str,
) -> tuple[tuple[int, int], list[tuple[str, bool, int, str | None]], list[str]]:
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    maker = make_sessionmaker(engine, TABLES)
    bus = _HalfBus()
    relay = OutboxRelay(service="tasking", bus=bus, sessionmaker=maker)  # type: ignore[arg-type]
    try:
        async with maker() as session, session.begin():
            for subject in ("kept", "refused"):
                _stage(session, subject)
        counts = await relay.publish_batch()
        async with maker() as session:
            rows = (
                await session.execute(
                    select(
                        OutboxEvent.body,
                        OutboxEvent.published_at,
                        OutboxEvent.attempts,
                        OutboxEvent.last_error,
                    )
                )
            ).all()
        outcome = sorted(
            ("refused" if '"subject":"refused"' in b else "kept", at is not None, n, e)
            for b, at, n, e in rows
        )
        return counts, outcome, bus.published
    finally:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
        await engine.dispose()


def test_a_relay_round_marks_what_it_published_and_counts_what_it_could_not(postgres_url: str) -> None:
    counts, outcome, published = asyncio.run(_relay_round(postgres_url))
    assert counts == (1, 1) and len(published) == 1
    assert outcome == [("kept", True, 0, None), ("refused", False, 1, "ConnectionError: broker away")]


class _SwitchBus(_Bus):
    def __init__(self) -> None:
        super().__init__()
        self.up = True

    async def healthy(self) -> bool:
        return self.up


async def _notify_policy(url: str) -> tuple[bool, list[str], bool, list[str], str]:
    """A replica whose relay publishes NOTIFYs nobody; once its broker is away, its writes NOTIFY."""
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    bus = _SwitchBus()
    relay_box: list[OutboxRelay] = []
    maker = make_sessionmaker(engine, TABLES, on_outbox_commit=lambda: relay_box[0].wake())
    relay = OutboxRelay(service="tasking", bus=bus, sessionmaker=maker)  # type: ignore[arg-type]
    relay_box.append(relay)
    channel, payload = maker.kw["info"]["outbox_notify"]
    heard: asyncio.Queue[str] = asyncio.Queue()
    relay.start()
    try:
        async with engine.connect() as listening:
            driver = (await listening.get_raw_connection()).driver_connection
            assert driver is not None
            await driver.add_listener(channel, lambda *note: heard.put_nowait(note[3]))
            for _ in range(100):
                if relay.publishing:
                    break
                await asyncio.sleep(0.05)
            was_publishing = relay.publishing
            written = {await _one_statement(maker, "a"), await _stage_in_a_transaction(maker, "b")}
            for _ in range(100):
                if written <= set(bus.published):
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)
            quiet = [heard.get_nowait() for _ in range(heard.qsize())]
            bus.up = False
            for _ in range(100):
                if not relay.publishing:
                    break
                await asyncio.sleep(0.05)
            await _one_statement(maker, "c")
            await _stage_in_a_transaction(maker, "d")
            loud = [await asyncio.wait_for(heard.get(), 5) for _ in range(2)]
        return was_publishing, quiet, written <= set(bus.published), loud, payload
    finally:
        await relay.stop()
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
        await engine.dispose()


def test_writes_notify_other_replicas_only_when_their_own_relay_cannot_publish(postgres_url: str) -> None:
    """While this process's relay publishes, its commit hook wakes it and no NOTIFY goes out (other
    replicas' relays would only run empty rounds); with the broker away from it, both kinds of outbox
    write (one statement, a staged ORM transaction) NOTIFY, so another replica's relay takes them."""
    was_publishing, quiet, published_by_own_relay, loud, payload = asyncio.run(_notify_policy(postgres_url))
    assert was_publishing and published_by_own_relay
    assert quiet == []
    assert loud == [payload, payload]


async def _alone_beside_a_session(url: str) -> tuple[list[int], set[str], set[str], int, int]:
    engine = create_async_engine(url, pool_size=1, max_overflow=0)  # one connection: the one lost below
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    woken: list[int] = []
    maker = make_sessionmaker(engine, TABLES, on_outbox_commit=lambda: woken.append(1))
    try:
        async with maker() as session:
            assert statement_alone(session)
            await session.scalar(select(func.count()).select_from(Thing))  # begins the session's transaction
            event = PendingEvent(_accepted("beside"), ORG, "beside")
            await insert_with_event(
                session=session, model=Thing, values={"id": "beside"}, source="tasking", event=event
            )
            await session.rollback()  # nothing left to roll back: the write was committed
        pooled = await engine.raw_connection()
        lost_pid = pooled.driver_connection.get_server_pid()  # type: ignore[union-attr]
        pooled.close()
        killer = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:  # the pooled connection's backend goes away under the pool
            assert await killer.fetchval("SELECT pg_terminate_backend($1)", lost_pid)
        finally:
            await killer.close()
        await _alone(maker, "after-loss")  # on the dead connection first, then on a new one
        async with maker() as session:
            events, things = await _outbox_ids(session), set((await session.scalars(select(Thing.id))).all())
            pid = await session.scalar(select(func.pg_backend_pid()))
        return woken, events, things, lost_pid, int(pid or 0)
    finally:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
        await engine.dispose()


def test_a_statement_alone_commits_by_itself_and_survives_a_lost_connection(postgres_url: str) -> None:
    """After ``statement_alone`` the write is committed as it returns (this process's relay woken),
    whatever the session does after it: here a read began the session's transaction first, and the write
    ran in it on the session's connection (a pool of one has no second) and committed it. A pooled
    connection lost under a write run alone is invalidated and the statement run once more on a new one:
    written once."""
    woken, events, things, lost_pid, pid = asyncio.run(_alone_beside_a_session(postgres_url))
    assert woken == [1, 1]
    assert len(events) == 2 and things == {"beside", "after-loss"}
    assert pid and pid != lost_pid
