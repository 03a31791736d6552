"""Task use cases: create (交办), find, list. Keyword-only, never commit: the caller owns the transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Literal

from sqlalchemy import ColumnElement, Integer, Row, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import table_of, transient, utcnow
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.scope import require_in_scope
from luoshi_kit.timebase import business_today
from luoshi_tasking.orgs.service import require_known_orgs
from luoshi_tasking.tasks.assignment import assignment_detail, insert_assignment
from luoshi_tasking.tasks.decomposition import nature_of
from luoshi_tasking.tasks.lifecycle import announce_assigned, trace
from luoshi_tasking.tasks.models import Task, TaskEvent, TaskScope
from luoshi_tasking.tasks.rules import check_can_assign, check_deadline
from luoshi_tasking.tasks.schemas import COUNT_CAP, TASK_FIELDS, TaskCreate
from luoshi_tasking.tasks.scopes import scope_key
from luoshi_tasking.tasks.state_machine import OPEN_STATES

Sort = Literal["deadline", "-deadline", "-created_at"]


def check_lead_not_co_unit(lead_unit: str, co_units: list[str]) -> None:
    if lead_unit in co_units:
        raise Problem(422, "lead-unit-is-co-unit", "牵头单位不能同时为协办单位 Lead unit listed as co-unit")


def new_task(
    *, data: TaskCreate, issuing_org: str, created_by: str, unit_of_work: bool = True, **extra: Any
) -> Task:
    """The task ``data`` describes; with ``unit_of_work=False`` built as a ``transient`` (a fifteenth of
    the constructor's cost) for ``insert_assignment`` to write, never to be added to a session."""
    now = utcnow()
    nature = data.nature or nature_of(data.start_date or business_today(now), data.deadline)
    values = dict(
        id=str(uuid.uuid4()),
        title=data.title,
        description=data.description,
        source=data.source,
        source_level=data.source_level,
        source_ref=data.source_ref,
        category=data.category,
        issuing_org=issuing_org,
        lead_unit=data.lead_unit,
        co_units=data.co_units,
        principal_id=data.principal_id,
        deputy_id=data.deputy_id,
        handler_id=data.handler_id,
        start_date=data.start_date,
        deadline=data.deadline,
        original_deadline=data.deadline,
        extension_count=0,
        nature=nature,
        required_progress=data.required_progress,
        measures=data.measures,
        report_due_dates=[d.isoformat() for d in sorted(data.report_due_dates)],
        progress_percent=0,
        state="assigned",
        created_by=created_by,
        created_at=now,
        updated_at=now,
        **extra,
    )
    return Task(**values) if unit_of_work else transient(Task, values)


def record_assignment(*, session: AsyncSession, task: Task, identity: Identity) -> None:
    """The new task, its trace and its tasking.task.assigned.v1 event (through the unit of work, for
    a task the same transaction goes on changing, such as a subtask signed for at once)."""
    session.add(task)
    detail = assignment_detail(task)
    trace(session=session, task=task, identity=identity, action="assigned", at=task.created_at, detail=detail)
    announce_assigned(session=session, task=task, identity=identity, at=task.created_at)


async def create_task(*, session: AsyncSession, identity: Identity, data: TaskCreate) -> Task:
    """交办: the caller's organisation assigns a task to units below it."""
    units = [data.lead_unit, *data.co_units]
    check_lead_not_co_unit(data.lead_unit, data.co_units)
    check_deadline(data.deadline, business_today())
    await require_known_orgs(session=session, codes=units)
    check_can_assign(identity, units)
    task = new_task(
        data=data, issuing_org=identity.org_code, created_by=identity.person_id, unit_of_work=False
    )
    await insert_assignment(session=session, task=task, identity=identity)
    return task


def involves(scope: str) -> ColumnElement[bool]:
    """Tasks whose lead unit, a co-unit or the issuing organisation lies in ``scope``'s subtree."""
    return Task.id.in_(select(TaskScope.task_id).where(TaskScope.scope == scope_key(scope)))


def visible_tasks(identity: Identity) -> Select[Task]:
    return select(Task).where(involves(identity.org_code))


async def list_tasks(
    *,
    session: AsyncSession,
    identity: Identity,
    offset: int,
    limit: int,
    state: list[str] | str | None = None,
    org: str | None = None,
    category: str | None = None,
    deadline_from: date | None = None,
    deadline_to: date | None = None,
    overdue: bool | None = None,
    parent_id: str | None = None,
    top_level: bool | None = None,
    sort: Sort = "deadline",
    count: bool = False,
) -> tuple[list[Row[Any]], int, bool]:
    """A page of the tasks visible to ``identity`` (within ``org`` if given), their total and whether
    that total is a lower bound. The tasks are rows of the task table's columns, not ORM objects (loading
    those and reading them back was about a fifth of a page's CPU). Nothing is counted unless ``count``:
    the page is fetched one row long, so the total is exact on the last page and ``offset + limit + 1``
    (a lower bound) before it. With ``count`` it is exact up to COUNT_CAP tasks past ``offset``, a lower
    bound beyond."""
    scope = identity.org_code
    if org is not None:
        require_in_scope(identity, org)
        scope = org  # within the caller's subtree, so whatever involves it the caller sees
    states = [state] if isinstance(state, str) else state
    page, below = _queries(
        _Shape(
            states=bool(states),
            deadline_from=deadline_from is not None,
            deadline_to=deadline_to is not None,
            overdue=overdue,
            category=category is not None,
            parent_id=parent_id is not None,
            top_level=top_level,
            sort=sort,
            count=count,
        )
    )
    params = {
        "scope": scope_key(scope),
        "states": states,
        "deadline_from": deadline_from,
        "deadline_to": deadline_to,
        "today": business_today() if overdue is not None else None,
        "category": category,
        "parent_id": parent_id,
        "offset": offset,
        "limit": limit if count else limit + 1,
        "cap": COUNT_CAP + 1,
    }
    # On the session's connection: the ORM's execute of a Core statement (its result set up for loading,
    # then the rows loaded) was a tenth of a page's CPU. Nothing pending is flushed: callers only read.
    connection = await session.connection()
    rows = list((await connection.execute(page, params)).all())
    if count:
        if rows:
            return rows, offset + int(rows[0].counted), int(rows[0].counted) > COUNT_CAP
    else:
        if len(rows) > limit:
            return rows[:limit], offset + limit + 1, True
        if rows:
            return rows, offset + len(rows), False
    if not offset:
        return rows, 0, False
    # Past the end (nothing at offset > 0): the total is below offset, count just that far.
    return rows, int(await connection.scalar(below, params) or 0), False


@dataclass(frozen=True)
class _Shape:
    """Which filters a list page has: each shape's statements are built once per process (building
    one took a tenth of a page's CPU); the values go in as parameters."""

    states: bool
    deadline_from: bool
    deadline_to: bool
    overdue: bool | None
    category: bool
    parent_id: bool
    top_level: bool | None
    sort: Sort
    count: bool


@cache
def _queries(shape: _Shape) -> tuple[Select[Any], Select[Any]]:
    """The page (with its capped count if ``shape.count``) and the count of a page past the end."""
    # Filters on task_scope's own columns keep the page (and its count) on one index.
    keyed: list[ColumnElement[bool]] = [TaskScope.scope == bindparam("scope")]
    if shape.states:
        keyed.append(TaskScope.state.in_(bindparam("states", expanding=True)))
    if shape.deadline_from:
        keyed.append(TaskScope.deadline >= bindparam("deadline_from"))
    if shape.deadline_to:
        keyed.append(TaskScope.deadline <= bindparam("deadline_to"))
    if shape.overdue is not None:
        late = TaskScope.state.in_(OPEN_STATES) & (TaskScope.deadline < bindparam("today"))
        keyed.append(late if shape.overdue else ~late)
    joined: list[ColumnElement[bool]] = []
    if shape.category:
        joined.append(Task.category == bindparam("category"))
    if shape.parent_id:
        joined.append(Task.parent_id == bindparam("parent_id"))
    if shape.top_level is not None:
        joined.append(Task.parent_id.is_(None) if shape.top_level else Task.parent_id.is_not(None))
    order = {
        "deadline": (TaskScope.deadline.asc(), TaskScope.created_at.asc(), TaskScope.task_id.asc()),
        "-deadline": (TaskScope.deadline.desc(), TaskScope.created_at.desc(), TaskScope.task_id.desc()),
        "-created_at": (TaskScope.created_at.desc(), TaskScope.task_id.desc()),
    }[shape.sort]
    ids = select(TaskScope.task_id).where(*keyed)
    if joined:
        ids = ids.join(Task, Task.id == TaskScope.task_id).where(*joined)
    offset, limit = bindparam("offset", type_=Integer), bindparam("limit", type_=Integer)
    task = table_of(Task)
    columns = [task.c[name] for name in TASK_FIELDS]  # TaskOut's order: tasks.listing.page_body relies on it
    page = select(*columns).join(TaskScope, TaskScope.task_id == task.c.id).where(*keyed, *joined)
    page = page.order_by(*order)
    if shape.count:
        # The page and its capped count in one statement (the count an InitPlan PostgreSQL runs once).
        ahead = ids.offset(offset).limit(bindparam("cap", type_=Integer)).subquery()
        page = page.add_columns(select(func.count()).select_from(ahead).scalar_subquery().label("counted"))
    below = select(func.count()).select_from(ids.limit(offset).subquery())
    return page.offset(offset).limit(limit), below


async def get_task(*, session: AsyncSession, identity: Identity, task_id: str, lock: bool = False) -> Task:
    """The task if the person may see it; 404 otherwise (never 403: a hidden task is not revealed)."""
    query = visible_tasks(identity).where(Task.id == task_id)
    if lock:
        query = query.with_for_update()
    task = await session.scalar(query)
    if task is None:
        raise Problem(404, "not-found", "任务不存在 Task not found", f"任务 {task_id} 不存在或不可见")
    return task


async def task_events(*, session: AsyncSession, task: Task) -> list[TaskEvent]:
    rows = await session.scalars(
        select(TaskEvent).where(TaskEvent.task_id == task.id).order_by(TaskEvent.at, TaskEvent.id)
    )
    return list(rows)
