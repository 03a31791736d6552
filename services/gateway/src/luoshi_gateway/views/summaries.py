"""Per-organisation dashboard figures kept up to date from events (one row per organisation and metric).

A task counts towards its lead unit and every organisation above it (a department also towards its
government), so the figures of any subtree are one indexed read. Each task event moves the task's
contribution: the old one is taken off the old lead unit's chain, the new one put on the new chain, in
the inbox transaction of the event — exactly once, like every effect of a consumer. ``rebuild`` recounts
everything from ``task_view`` (the operator's ``luoshi rebuild-summaries``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.views.models import OrgSummary, TaskView
from luoshi_kit.db import table_of
from luoshi_proto.divisions import division_parts, government_of
from luoshi_proto.tasking.states import CLOSED_STATES, OPEN_STATES

_CHUNK = 2000  # rows per executemany, so a rebuild streams


def summary_scopes(code: str) -> list[str]:
    """The organisation and every one above it whose figures include a task led by ``code``."""
    scopes = [code] if len(code) > 12 else []
    parts = division_parts(government_of(code))
    for depth in range(len(parts), 0, -1):
        prefix = "".join(parts[:depth])
        scopes.append(prefix.ljust(12, "0"))
    return scopes


def contribution(view: TaskView | None) -> Counter[str]:
    """What one task adds to the figures of each organisation it counts towards."""
    if view is None:
        return Counter()
    on_time = view.completed_on is not None and view.completed_on <= view.deadline
    return _figures(view.state, view.overdue, view.lagging, on_time)


def _figures(state: str, overdue: bool, lagging: bool, on_time: bool) -> Counter[str]:
    figures = Counter({"tasks": 1, f"state:{state}": 1})
    if state in CLOSED_STATES:
        figures["closed"] += 1
        figures["closed_on_time"] += int(on_time)
    if state in OPEN_STATES:
        colour = "red" if overdue else "yellow" if lagging else "green"
        figures[f"colour:{colour}"] += 1
        figures["overdue"] += int(overdue)
        figures["lagging"] += int(lagging)
    return figures


def deltas(
    before: Counter[str], before_unit: str | None, after: Counter[str], after_unit: str | None
) -> dict[tuple[str, str], int]:
    """(organisation, metric) -> change, zeros dropped."""
    moved: Counter[tuple[str, str]] = Counter()
    if before_unit:
        for scope in summary_scopes(before_unit):
            for metric, value in before.items():
                moved[(scope, metric)] -= value
    if after_unit:
        for scope in summary_scopes(after_unit):
            for metric, value in after.items():
                moved[(scope, metric)] += value
    return {key: value for key, value in moved.items() if value}


async def apply(*, session: AsyncSession, changes: Mapping[tuple[str, str], int]) -> None:
    """Add the changes: one prepared upsert, executed for many rows (Core: the ORM's bulk path costs
    a third more, and a multi-row VALUES compiles anew for every row count)."""
    rows = [{"org_code": org, "metric": metric, "value": value} for (org, metric), value in changes.items()]
    if not rows:
        return
    statement = _upsert(session.get_bind().dialect.name)
    for start in range(0, len(rows), _CHUNK):
        await session.execute(statement, rows[start : start + _CHUNK])


@lru_cache(maxsize=4)
def _upsert(dialect: str) -> Any:
    """Built once per dialect: building it was a tenth of a consumer batch's CPU."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = table_of(OrgSummary)
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=["org_code", "metric"], set_={"value": table.c.value + statement.excluded.value}
    )


async def figures_of(*, session: AsyncSession, org_codes: Iterable[str]) -> dict[str, Counter[str]]:
    """Every metric of the given organisations, in one query."""
    codes = list(org_codes)
    result: dict[str, Counter[str]] = {code: Counter() for code in codes}
    rows = await session.execute(
        select(OrgSummary.org_code, OrgSummary.metric, OrgSummary.value).where(OrgSummary.org_code.in_(codes))
    )
    for org_code, metric, value in rows:
        result[org_code][metric] = int(value)
    return result


async def recount(*, session: AsyncSession) -> dict[tuple[str, str], int]:
    """The figures recomputed from the task views alone (what the stored rows must equal): one GROUP BY
    over the columns a contribution depends on, then each group's figures up its chain."""
    on_time = TaskView.completed_on.is_not(None) & (TaskView.completed_on <= TaskView.deadline)
    groups = await session.execute(
        select(
            TaskView.lead_unit, TaskView.state, TaskView.overdue, TaskView.lagging, on_time, func.count()
        ).group_by(TaskView.lead_unit, TaskView.state, TaskView.overdue, TaskView.lagging, on_time)
    )
    total: Counter[tuple[str, str]] = Counter()
    for lead_unit, state, overdue, lagging, closed_on_time, count in groups:
        figures = _figures(state, bool(overdue), bool(lagging), bool(closed_on_time))
        for scope in summary_scopes(lead_unit):
            for metric, value in figures.items():
                total[(scope, metric)] += value * int(count)
    return {key: value for key, value in total.items() if value}


async def stored(*, session: AsyncSession) -> dict[tuple[str, str], int]:
    rows = await session.execute(
        select(OrgSummary.org_code, OrgSummary.metric, OrgSummary.value).where(OrgSummary.value != 0)
    )
    return {(org, metric): int(value) for org, metric, value in rows}


async def rebuild(*, session: AsyncSession) -> int:
    """Replace the stored figures by a recount; returns the number of rows written."""
    await session.execute(delete(OrgSummary))
    figures = await recount(session=session)
    await apply(session=session, changes=figures)
    return int(await session.scalar(select(func.count()).select_from(OrgSummary)) or 0)
