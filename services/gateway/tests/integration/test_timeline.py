"""A task's timeline comes from the database as one JSON document (views/timeline_document.py): the same
document the ``Timeline`` schema describes, entries in time order, built in one statement however long the
history, on PostgreSQL and on SQLite; who may not see the task gets a 404 problem."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luoshi_gateway.db import TABLES, Base
from luoshi_gateway.views import service
from luoshi_gateway.views.models import TaskView, TimelineEntry
from luoshi_gateway.views.schemas import Timeline, TimelineItem
from luoshi_kit.db import make_engine, make_sessionmaker
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity

from .conftest import COUNTY, PROVINCE, SIBLING, assert_problem, headers_of

BASE = datetime(2026, 12, 1, 8, tzinfo=UTC)
OFFICE = Identity(person_id="o", username="o", display_name="o", org_code=PROVINCE, roles=["office"])
CITY_ADMIN = Identity(person_id="c", username="c", display_name="c", org_code="520100000000", roles=["admin"])
STRANGER = Identity(person_id="s", username="s", display_name="s", org_code=SIBLING, roles=["admin"])


def _entries(task_id: str, n: int) -> list[TimelineEntry]:
    """``n`` entries, stored out of time order: whole seconds and fractions, a system entry without an
    actor, Chinese text and quotes, nested data."""
    return [
        TimelineEntry(
            event_id=f"e{i:04d}",
            task_id=task_id,
            at=BASE + timedelta(minutes=(i * 7919) % n, microseconds=0 if i % 3 else 120_000 + i),
            event_type="tasking.task.progress_reported.v1",
            source="tasking",
            actor_id=None if i % 5 == 0 else f"u-{i}",
            org_code=COUNTY,
            summary=f'落实反馈 {i}% — "按计划" \\ 推进',
            data={"progress_percent": i, "task": {"task_id": task_id, "co_units": ["a", "b"]}, "x": None},
        )
        for i in range(n)
    ]


def _view(task_id: str, **overrides: Any) -> TaskView:
    values: dict[str, Any] = {
        "task_id": task_id,
        "title": "重点工作任务",
        "issuing_org": "520100000000",
        "lead_unit": COUNTY,
        "co_units": [],
        "deadline": date(2027, 6, 30),
        "state": "accepted",
        "updated_at": BASE,
    }
    return TaskView(**(values | overrides))


def _expected(view: TaskView, entries: list[TimelineEntry]) -> dict[str, Any]:
    """What the schema gave when the gateway built the timeline from objects."""
    ordered = sorted(entries, key=lambda e: (e.at, e.event_id))
    items = [TimelineItem.model_validate(e) for e in ordered]
    timeline = Timeline(task_id=view.task_id, title=view.title, state=view.state, items=items)
    return timeline.model_dump(mode="json")


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"


@pytest.fixture
async def maker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield make_sessionmaker(engine, TABLES)
    await engine.dispose()


async def test_the_document_is_the_schema_s_in_time_order_from_one_statement(
    maker: async_sessionmaker[AsyncSession],
) -> None:
    busy, quiet, hidden = (
        _view("busy"),
        _view("quiet"),
        _view("hidden", issuing_org=SIBLING, lead_unit="520201000000"),
    )
    entries = _entries("busy", 300)
    async with maker() as session, session.begin():
        session.add_all([busy, quiet, hidden, *entries])
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = maker.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", count)
    async with maker() as session:
        document = await service.timeline(session=session, identity=OFFICE, task_id="busy")
    event.remove(engine, "before_cursor_execute", count)
    assert json.loads(document) == _expected(busy, entries)
    assert len(statements) == 1, statements

    async with maker() as session:
        empty = json.loads(await service.timeline(session=session, identity=OFFICE, task_id="quiet"))
        assert empty == _expected(quiet, [])
        for identity, task_id in ((STRANGER, "busy"), (OFFICE, "no-such-task"), (CITY_ADMIN, "hidden")):
            with pytest.raises(Problem) as raised:
                await service.timeline(session=session, identity=identity, task_id=task_id)
            assert raised.value.status == 404


async def test_the_route_serves_the_document_to_who_may_see_the_task(
    gateway: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = gateway
    view, entries = _view("t1", co_units=[SIBLING]), _entries("t1", 20)
    async with app.state.sessionmaker() as session, session.begin():
        session.add_all([view, *entries])
    response = await client.get(
        "/api/v1/tasks/t1/timeline", headers=await headers_of(client, "county_handler")
    )
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.json() == _expected(view, entries)
    # A co-unit sees the task; a city that is none of its units does not.
    sibling = await headers_of(client, "sibling_admin")
    assert (await client.get("/api/v1/tasks/t1/timeline", headers=sibling)).status_code == 200
    async with app.state.sessionmaker() as session, session.begin():
        (await session.get(TaskView, "t1")).co_units = []
    assert_problem(await client.get("/api/v1/tasks/t1/timeline", headers=sibling), 404)
