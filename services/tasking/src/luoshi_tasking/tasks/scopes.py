"""Which subtrees see a task, kept in ``task_scope`` by mapper hooks on every flush of a Task.

A subtree is keyed by ``scope_key``: a department by its own code (its subtree is itself), a
division by the significant part of its code (贵阳市 520100000000 → "5201"), which every code in
its subtree starts with. A task is visible in the scopes of its lead unit, co-units and issuing
organisation — the rule ``service.involves`` states, without OR-ing columns or matching JSON text.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event, exists, inspect, select
from sqlalchemy.orm import InstanceState, Mapper

from luoshi_kit.db import table_of
from luoshi_proto.divisions import division_parts
from luoshi_tasking.tasks.models import Task, TaskScope

_UNIT_FIELDS = ("lead_unit", "co_units", "issuing_org")
_KEY_FIELDS = ("deadline", "created_at", "state")


def scope_key(code: str) -> str:
    return code if len(code) > 12 else "".join(division_parts(code))


def scopes_of(code: str) -> set[str]:
    """Every scope whose subtree holds ``code``: its own, if a department, and each division prefix."""
    parts = division_parts(code)
    keys = {"".join(parts[: i + 1]) for i in range(len(parts))}
    return keys | {code} if len(code) > 12 else keys


def scope_rows(task: Any) -> list[dict[str, Any]]:
    scopes: set[str] = set()
    for code in [task.lead_unit, task.issuing_org, *(task.co_units or [])]:
        scopes |= scopes_of(code)
    keys = {"deadline": task.deadline, "created_at": task.created_at, "state": task.state}
    return [{"task_id": task.id, "scope": scope, **keys} for scope in sorted(scopes)]


def _changed(target: Task, fields: tuple[str, ...]) -> bool:
    state: InstanceState[Task] = inspect(target)
    return any(state.attrs[name].history.has_changes() for name in fields)


def backfill_scopes(connection: Connection, batch: int = 10_000) -> int:
    """Scope rows for the tasks that have none (tasks written before task_scope existed): for the
    migration that creates the table. Returns how many tasks it filled in."""
    task, scope = table_of(Task), table_of(TaskScope)
    columns = [
        task.c[n] for n in ("id", "lead_unit", "issuing_org", "co_units", "deadline", "created_at", "state")
    ]
    missing = connection.execute(select(*columns).where(~exists().where(scope.c.task_id == task.c.id))).all()
    for i in range(0, len(missing), batch):
        connection.execute(scope.insert(), [r for row in missing[i : i + batch] for r in scope_rows(row)])
    return len(missing)


@event.listens_for(Task, "after_insert")
def _inserted(_mapper: Mapper[Task], connection: Connection, target: Task) -> None:
    connection.execute(table_of(TaskScope).insert(), scope_rows(target))


@event.listens_for(Task, "after_update")
def _updated(_mapper: Mapper[Task], connection: Connection, target: Task) -> None:
    table = table_of(TaskScope)
    mine = table.c.task_id == target.id
    if _changed(target, _UNIT_FIELDS):
        connection.execute(table.delete().where(mine))
        connection.execute(table.insert(), scope_rows(target))
    elif _changed(target, _KEY_FIELDS):
        keys = {"deadline": target.deadline, "created_at": target.created_at, "state": target.state}
        connection.execute(table.update().where(mine).values(**keys))


@event.listens_for(Task, "after_delete")
def _deleted(_mapper: Mapper[Task], connection: Connection, target: Task) -> None:
    table = table_of(TaskScope)
    connection.execute(table.delete().where(table.c.task_id == target.id))
