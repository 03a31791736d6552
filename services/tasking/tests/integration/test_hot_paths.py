"""The statements the two busiest routes send (issue 10): a task write is one statement writing its four
kinds of row (task, scopes, trace, outbox) and nothing else, and a page of the task list is one statement
that counts nothing unless asked for its total."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, select
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection as Adapter

from luoshi_kit.db import tables_of
from luoshi_proto.registry import routing_key
from luoshi_tasking.tasks.models import Task, TaskEvent, TaskScope

from .conftest import CITY, COUNTY, PROVINCE, TOWNSHIP, person

Service = tuple[FastAPI, httpx.AsyncClient]
CLERK = person(PROVINCE, "office")
TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}


@contextmanager
def statements(app: FastAPI) -> Iterator[list[str]]:
    """The SQL statements this task sends while the block runs (first word and table, e.g.
    ``INSERT task``, ``SELECT counted`` for one with a count, ``BEGIN`` for a transaction's start),
    through SQLAlchemy or on asyncpg itself (``luoshi_kit.driver_sql.execute_autocommit``); the relay's
    and the consumer's, in tasks of their own, are not counted."""
    seen: list[str] = []
    mine = asyncio.current_task()

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if asyncio.current_task() is not mine:
            return
        words = statement.split()
        table = words[2] if words[0] == "INSERT" else ""
        if words[0] == "WITH":  # a data-modifying CTE: the tables it writes, in order
            table = " ".join(w for w, before in zip(words[1:], words, strict=False) if before == "INTO")
        if words[0] == "SELECT" and "count(" in statement.lower():
            table = "counted"
        seen.append(f"{words[0]} {table}".strip())

    async def begin(adapter: Any) -> None:  # a BEGIN round trip (none in autocommit)
        if asyncio.current_task() is mine and adapter.isolation_level != "autocommit":
            seen.append("BEGIN")
        await start(adapter)

    def direct(method: Any) -> Any:
        # SQLAlchemy's adapter prepares its statements, so they do not come through here; its
        # transactions' BEGIN (counted above) and COMMIT do.
        async def recorded(self: Any, statement: str, *args: Any, **kwargs: Any) -> Any:
            if statement.split()[0].rstrip(";").upper() not in TRANSACTION_CONTROL:
                record(self, None, statement)
            return await method(self, statement, *args, **kwargs)

        return recorded

    engine = app.state.engine.sync_engine
    start = Adapter._start_transaction
    driver_methods = {name: getattr(asyncpg.Connection, name) for name in ("execute", "fetch")}
    event.listen(engine, "before_cursor_execute", record)
    Adapter._start_transaction = begin  # type: ignore[method-assign]
    for name, method in driver_methods.items():
        setattr(asyncpg.Connection, name, direct(method))
    try:
        yield seen
    finally:
        for name, method in driver_methods.items():
            setattr(asyncpg.Connection, name, method)
        Adapter._start_transaction = start  # type: ignore[method-assign]
        event.remove(engine, "before_cursor_execute", record)


async def test_a_task_write_is_one_statement_of_its_four_rows(tasking: Service) -> None:
    app, client = tasking
    body = {"title": "热路径", "lead_unit": TOWNSHIP, "co_units": [CITY], "deadline": "2099-12-31"}
    await client.post("/api/v1/tasks", json=body, headers=CLERK)  # the first fills the per-process caches
    channel, _payload = app.state.sessionmaker.kw["info"]["outbox_notify"]
    heard: asyncio.Queue[str] = asyncio.Queue()
    async with app.state.engine.connect() as listening:
        driver = (await listening.get_raw_connection()).driver_connection
        await driver.add_listener(channel, lambda *note: heard.put_nowait(note[3]))
        for _ in range(100):
            if app.state.relay.publishing:
                break
            await asyncio.sleep(0.05)
        assert app.state.relay.publishing
        with statements(app) as seen:
            created = await client.post("/api/v1/tasks", json=body, headers=CLERK)
        # This process's relay is publishing: the commit hook wakes it, no other replica is NOTIFYed.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(heard.get(), 0.5)
    assert created.status_code == 201, created.text
    assert seen == ["WITH task task_scope task_event outbox"]
    task_id = created.json()["id"]
    async with app.state.sessionmaker() as session:
        scopes = set(
            (await session.scalars(select(TaskScope.scope).where(TaskScope.task_id == task_id))).all()
        )
        trace = (await session.scalars(select(TaskEvent).where(TaskEvent.task_id == task_id))).all()
        task = await session.get(Task, task_id)
        outbox = tables_of(session).outbox
        events = (await session.scalars(select(outbox).where(outbox.body.contains(task_id)))).all()
    # Township 520102001000 and city 520100000000 under the province's issuing org: every division prefix.
    assert scopes == {"52", "5201", "520102", "520102001"}
    assert [t.action for t in trace] == ["assigned"]
    assert trace[0].detail == {"lead_unit": TOWNSHIP, "co_units": [CITY], "nature": created.json()["nature"]}
    assert (
        task is not None and task.description == "" and task.extension_count == 0 and task.co_units == [CITY]
    )
    assert [(e.event_type, e.routing_key, e.attempts) for e in events] == [
        ("tasking.task.assigned.v1", routing_key("tasking.task.assigned.v1", TOWNSHIP), 0)
    ]
    assert json.loads(events[0].body)["data"]["task"]["co_units"] == [CITY]
    fetched = await client.get(f"/api/v1/tasks/{task_id}", headers=CLERK)
    assert fetched.json() == created.json()
    for _ in range(200):  # committed without a transaction, the relay was still woken
        if await _published(app, events[0].id):
            break
        await asyncio.sleep(0.05)
    assert await _published(app, events[0].id)


async def test_with_no_relay_publishing_here_a_task_write_notifies_the_other_replicas(
    tasking: Service,
) -> None:
    app, client = tasking
    body = {"title": "热路径", "lead_unit": TOWNSHIP, "deadline": "2099-12-31"}
    await client.post("/api/v1/tasks", json=body, headers=CLERK)  # the first fills the per-process caches
    channel, payload = app.state.sessionmaker.kw["info"]["outbox_notify"]
    heard: asyncio.Queue[str] = asyncio.Queue()
    await app.state.relay.stop()  # as when its broker is away or its rounds fail
    async with app.state.engine.connect() as listening:
        driver = (await listening.get_raw_connection()).driver_connection
        await driver.add_listener(channel, lambda *note: heard.put_nowait(note[3]))
        with statements(app) as seen:
            created = await client.post("/api/v1/tasks", json=body, headers=CLERK)
        # Another replica's relay is woken at once: NOTIFY in the same statement.
        assert await asyncio.wait_for(heard.get(), 10) == payload
    assert created.status_code == 201, created.text
    assert seen == ["WITH task task_scope task_event outbox"]


async def _published(app: FastAPI, event_id: str) -> bool:
    async with app.state.sessionmaker() as session:
        outbox = tables_of(session).outbox
        return await session.scalar(select(outbox.published_at).where(outbox.id == event_id)) is not None


async def test_a_keyed_task_write_stays_one_transaction(tasking: Service) -> None:
    app, client = tasking
    body = {"title": "热路径", "lead_unit": TOWNSHIP, "deadline": "2099-12-31"}
    keyed = {**CLERK, "Idempotency-Key": "hot-path-1"}
    with statements(app) as seen:
        created = await client.post("/api/v1/tasks", json=body, headers=keyed)
    assert created.status_code == 201, created.text
    # The key's record is a second write: the lock, the lookup, the task, the record in one transaction
    # (the driver sends BEGIN as the first statement goes out).
    assert seen[:2] == ["SELECT", "BEGIN"] and "WITH task task_scope task_event outbox" in seen
    assert seen[-1] == "INSERT idempotency_key"
    again = await client.post("/api/v1/tasks", json=body, headers=keyed)
    assert again.json() == created.json() and again.headers["Idempotent-Replayed"] == "true"


async def test_a_list_page_is_one_query_counting_only_on_request(tasking: Service) -> None:
    app, client = tasking
    body = {"title": "热路径", "lead_unit": COUNTY, "deadline": "2099-12-31"}
    for _ in range(4):
        await client.post("/api/v1/tasks", json=body, headers=CLERK)
    await client.get("/api/v1/tasks", params={"limit": 20}, headers=CLERK)
    # (limit, offset, ask for the total) → (total, its a lower bound, items on the page)
    cases = {
        (20, 0, False): (4, False, 4),
        (2, 0, False): (3, True, 2),  # the page and one more row: at least 3
        (2, 2, False): (4, False, 2),  # fetched 3 rows long, 2 came: the last page, exact
        (3, 3, False): (4, False, 1),
        (2, 0, True): (4, False, 2),
        (1, 2, True): (4, False, 1),
    }
    for (limit, offset, count), (total, estimate, items) in cases.items():
        params = {"limit": limit, "offset": offset} | ({"total": "true"} if count else {})
        with statements(app) as seen:
            page = (await client.get("/api/v1/tasks", params=params, headers=CLERK)).json()
        assert (page["total"], page["total_is_estimate"], len(page["items"])) == (total, estimate, items)
        assert page["has_more"] == (offset + items < 4)
        assert seen == (["SELECT counted"] if count else ["SELECT"]), (limit, offset, count)
    past_the_end = await client.get("/api/v1/tasks", params={"limit": 2, "offset": 10}, headers=CLERK)
    assert past_the_end.json()["total"] == 4 and past_the_end.json()["items"] == []
