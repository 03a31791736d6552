"""task_scope follows every task's units, and list pages see exactly the tasks they saw before (SQLite)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import ColumnElement, String, cast, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import luoshi_tasking.main  # noqa: F401  (registers every table on Base)
from luoshi_kit.db import make_engine, make_sessionmaker, tables_of
from luoshi_kit.identity import Identity
from luoshi_kit.paging import PageParams
from luoshi_proto.divisions import division_parts
from luoshi_tasking.db import TABLES, Base
from luoshi_tasking.tasks import service
from luoshi_tasking.tasks.assignment import insert_assignment
from luoshi_tasking.tasks.models import Task, TaskEvent, TaskScope
from luoshi_tasking.tasks.schemas import TaskCreate, TaskPage

PROVINCE, CITY, COUNTY, TOWNSHIP = "520000000000", "520100000000", "520102000000", "520103001000"
CITY_DEPT, OTHER_CITY = "520100000000D01", "520200000000"


def _task(task_id: str, issuer: str, lead: str, co: list[str], day: int) -> Task:
    return Task(
        id=task_id,
        title=task_id,
        issuing_org=issuer,
        lead_unit=lead,
        co_units=co,
        deadline=date(2027, 1, day),
        state="accepted",
        created_by="p",
        created_at=datetime(2026, 1, day, tzinfo=UTC),
        report_due_dates=[],
    )


@pytest.fixture
async def maker(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'tasking.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    made = make_sessionmaker(engine, TABLES)
    async with made() as session, session.begin():
        session.add_all(
            [
                _task("a", PROVINCE, COUNTY, [TOWNSHIP], 1),
                _task("b", CITY, CITY_DEPT, [], 2),
                _task("c", PROVINCE, OTHER_CITY, [], 3),
            ]
        )
    yield made
    await engine.dispose()


async def _seen(
    maker: async_sessionmaker[AsyncSession],
    caller: str,
    *,
    offset: int = 0,
    limit: int = 50,
    state: list[str] | str | None = None,
    org: str | None = None,
    sort: service.Sort = "deadline",
) -> tuple[list[str], int]:
    ids, total, _lower_bound = await _page(
        maker, caller, offset=offset, limit=limit, state=state, org=org, sort=sort, count=True
    )
    return ids, total


async def _page(
    maker: async_sessionmaker[AsyncSession], caller: str, *, count: bool, **filters: Any
) -> tuple[list[str], int, bool]:
    who = Identity(person_id="p", username="p", display_name="p", org_code=caller, roles=["handler"])
    async with maker() as session:
        rows, total, lower_bound = await service.list_tasks(
            session=session, identity=who, **{"offset": 0, "limit": 50, **filters}, count=count
        )
    return [t.id for t in rows], total, lower_bound


async def _units(maker: async_sessionmaker[AsyncSession], task_id: str) -> set[tuple[str, str]]:
    async with maker() as session:
        rows = await session.execute(
            select(TaskScope.scope, TaskScope.state).where(TaskScope.task_id == task_id)
        )
        return {(r[0], r[1]) for r in rows}


async def test_visibility_by_lead_co_unit_and_issuer(maker: async_sessionmaker[AsyncSession]) -> None:
    scopes = {"52", "5201", "520102", "520103", "520103001"}
    assert await _units(maker, "a") == {(s, "accepted") for s in scopes}
    assert await _units(maker, "b") == {("52", "accepted"), ("5201", "accepted"), (CITY_DEPT, "accepted")}
    assert await _seen(maker, PROVINCE) == (["a", "b", "c"], 3)
    assert await _seen(maker, CITY) == (["a", "b"], 2)  # lead below it; it issued b
    assert await _seen(maker, "520103000000") == (["a"], 1)  # only as the co-unit's county
    assert await _seen(maker, TOWNSHIP) == (["a"], 1)
    assert await _seen(maker, CITY_DEPT) == (["b"], 1)  # a department's subtree is itself
    assert await _seen(maker, "520100000000D02") == ([], 0)
    assert await _seen(maker, OTHER_CITY) == (["c"], 1)
    assert await _seen(maker, PROVINCE, sort="-created_at") == (["c", "b", "a"], 3)
    assert await _seen(maker, PROVINCE, org=CITY) == (["a", "b"], 2)


async def test_reassign_moves_the_units(maker: async_sessionmaker[AsyncSession]) -> None:
    async with maker() as session, session.begin():
        task = await session.get(Task, "a")
        assert task is not None
        task.lead_unit, task.co_units = "520103000000", []
    assert await _units(maker, "a") == {("52", "accepted"), ("5201", "accepted"), ("520103", "accepted")}
    assert await _seen(maker, COUNTY) == ([], 0)
    assert await _seen(maker, TOWNSHIP) == ([], 0)
    assert await _seen(maker, "520103000000") == (["a"], 1)
    async with maker() as session, session.begin():  # a state change follows into the scope rows
        task = await session.get(Task, "a")
        assert task is not None
        task.state = "completed"
    assert await _units(maker, "a") == {("52", "completed"), ("5201", "completed"), ("520103", "completed")}
    assert await _seen(maker, "520103000000", state="completed") == (["a"], 1)
    assert await _seen(maker, "520103000000", state=["accepted"]) == ([], 0)


async def test_totals_exact_up_to_the_cap_then_a_lower_bound(
    maker: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert await _seen(maker, PROVINCE, limit=2) == (["a", "b"], 3)
    assert await _seen(maker, PROVINCE, limit=2, offset=2) == (["c"], 3)
    assert await _seen(maker, PROVINCE, limit=2, offset=9) == ([], 3)  # past the end: still exact
    monkeypatch.setattr(service, "COUNT_CAP", 1)
    assert await _page(maker, PROVINCE, limit=1, count=True) == (["a"], 2, True)  # more than the cap follow
    assert await _page(maker, PROVINCE, limit=1, offset=2, count=True) == (["c"], 3, False)


async def test_without_count_a_page_is_fetched_one_row_long(maker: async_sessionmaker[AsyncSession]) -> None:
    assert await _page(maker, PROVINCE, limit=2, count=False) == (["a", "b"], 3, True)  # at least one more
    assert await _page(maker, PROVINCE, limit=1, count=False) == (["a"], 2, True)
    assert await _page(maker, PROVINCE, limit=1, offset=1, count=False) == (["b"], 3, True)
    assert await _page(maker, PROVINCE, limit=1, offset=2, count=False) == (["c"], 3, False)  # the last page
    assert await _page(maker, PROVINCE, limit=3, count=False) == (["a", "b", "c"], 3, False)
    assert await _page(maker, PROVINCE, limit=2, offset=9, count=False) == ([], 3, False)  # past the end
    page = TaskPage.of([], 2, PageParams(offset=0, limit=1), estimated=True)
    assert page.total_is_estimate and page.has_more


def _old_involves(scope: str) -> ColumnElement[bool]:
    """The visibility rule as it was written before task_unit (OR of columns, LIKE on the JSON)."""

    def within(column: Any) -> ColumnElement[bool]:
        return column == scope if len(scope) > 12 else column.startswith("".join(division_parts(scope)))

    text = cast(Task.co_units, String)
    co = (
        text.contains(f'"{scope}"')
        if len(scope) > 12
        else text.contains('"' + "".join(division_parts(scope)))
    )
    return or_(within(Task.lead_unit), within(Task.issuing_org), co)


async def test_same_tasks_as_the_old_rule(maker: async_sessionmaker[AsyncSession]) -> None:
    rng = random.Random(3)
    units = [COUNTY, TOWNSHIP, "520103000000", "520102001000", CITY_DEPT, "520102000000D03", OTHER_CITY]
    units += ["520201000000", "520201002000", "520200000000D01"]
    async with maker() as session, session.begin():
        for i in range(120):
            lead = rng.choice(units)
            co = rng.sample([u for u in units if u != lead], rng.randint(0, 3))
            session.add(
                _task(f"r{i}", rng.choice([PROVINCE, CITY, OTHER_CITY, COUNTY]), lead, co, 1 + i % 28)
            )
    for scope in [PROVINCE, CITY, *units, "520300000000", "520103002000"]:
        async with maker() as session:
            old = set(await session.scalars(select(Task.id).where(_old_involves(scope))))
            new = set(await session.scalars(select(Task.id).where(service.involves(scope))))
        assert new == old, scope


async def test_a_created_task_writes_its_four_kinds_of_row_on_sqlite(
    maker: async_sessionmaker[AsyncSession],
) -> None:
    """The embedded mode's write (four Core INSERTs, no CTE): the same rows as PostgreSQL's one statement."""
    who = Identity(person_id="p", username="p", display_name="p", org_code=PROVINCE, roles=["office"])
    data = TaskCreate(title="嵌入", lead_unit=TOWNSHIP, co_units=[CITY], deadline=date(2099, 12, 31))
    task = service.new_task(data=data, issuing_org=PROVINCE, created_by="p", unit_of_work=False)
    async with maker() as session, session.begin():
        await insert_assignment(session=session, task=task, identity=who)
        assert session.info["outbox_dirty"]
    async with maker() as session:
        stored = await session.get(Task, task.id)
        trace = (await session.scalars(select(TaskEvent).where(TaskEvent.task_id == task.id))).all()
        outbox = tables_of(session).outbox
        events = (await session.scalars(select(outbox).where(outbox.body.contains(task.id)))).all()
    assert stored is not None and stored.co_units == [CITY] and stored.extension_count == 0
    assert await _units(maker, task.id) == {(s, "assigned") for s in ("52", "5201", "520103", "520103001")}
    assert [(t.action, t.detail["lead_unit"]) for t in trace] == [("assigned", TOWNSHIP)]
    assert [e.event_type for e in events] == ["tasking.task.assigned.v1"]
