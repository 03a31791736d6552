"""One step of a task's life: the state change, its trace (TaskEvent) and its outbox event together."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import PendingEvent, add_event
from luoshi_proto.tasking.v1 import (
    Actor,
    TaskAccepted,
    TaskAssigned,
    TaskRef,
    TaskReturned,
    TaskStateChanged,
)
from luoshi_tasking.tasks.models import Task, TaskEvent
from luoshi_tasking.tasks.state_machine import transition

SOURCE = "tasking"

# Lifecycle steps announced with the shared TaskStateChanged payload.
STATE_CHANGE_TYPES = {
    "cancel": "tasking.task.cancelled.v1",
    "complete": "tasking.task.completed.v1",
    "reject": "tasking.task.reopened.v1",
    "close": "tasking.task.closed.v1",
    "archive": "tasking.task.archived.v1",
}


def task_ref(task: Any) -> TaskRef:
    """The reference of a task (a ``Task`` or a selected row with the same columns)."""
    return TaskRef(
        task_id=task.id,
        title=task.title,
        issuing_org=task.issuing_org,
        lead_unit=task.lead_unit,
        co_units=list(task.co_units or []),
        parent_id=task.parent_id,
        deadline=task.deadline,
        original_deadline=task.original_deadline or task.deadline,
        extension_count=task.extension_count or 0,
    )


def actor(identity: Identity) -> Actor:
    return Actor(person_id=identity.person_id, org_code=identity.org_code)


def trace(
    *,
    session: AsyncSession,
    task: Task,
    identity: Identity,
    action: str,
    at: datetime,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> TaskEvent:
    """The trace row (全程留痕): who, when, from which organisation, why; added to ``session``."""
    values = trace_values(task=task, identity=identity, action=action, at=at, reason=reason, detail=detail)
    row = TaskEvent(**values)
    session.add(row)
    return row


def trace_values(
    *,
    task: Task,
    identity: Identity,
    action: str,
    at: datetime,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A trace row's column values, for a Core insert (``assignment.insert_assignment``)."""
    return {
        "id": str(uuid.uuid4()),
        "task_id": task.id,
        "action": action,
        "actor_id": identity.person_id,
        "actor_org": identity.org_code,
        "reason": reason,
        "detail": detail or {},
        "at": at,
    }


def announce_assigned(*, session: AsyncSession, task: Task, identity: Identity, at: datetime) -> None:
    add_event(session=session, source=SOURCE, **assigned_event(task, identity, at).__dict__)


def assigned_event(task: Task, identity: Identity, at: datetime) -> PendingEvent:
    data = TaskAssigned(task=task_ref(task), by=actor(identity), at=at)
    return PendingEvent(data=data, orgcode=task.lead_unit, subject=task.id)


def step(
    *,
    session: AsyncSession,
    task: Task,
    identity: Identity,
    action: str,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
    lagging: bool | None = None,
) -> datetime:
    """Move ``task`` by ``action`` (409 if illegal), record the trace and stage the event (``lagging``: the
    colour an accepted task starts with, for the read models)."""
    from_state = task.state
    to_state = transition(from_state, action)
    now = at or utcnow()
    task.state = to_state
    task.updated_at = now
    if action == "accept":
        task.accepted_at = now
    elif action == "complete":
        task.completed_at = now
    elif action == "close":
        task.closed_at = now
    elif action == "reject":
        task.completed_at = None
    elif action in ("reassign", "change_lead"):
        task.accepted_at = None
    trace(
        session=session,
        task=task,
        identity=identity,
        action=action,
        at=now,
        reason=reason,
        detail={"from_state": from_state, "to_state": to_state, **(detail or {})},
    )
    by = actor(identity)
    if action == "accept":
        data: Any = TaskAccepted(task=task_ref(task), by=by, at=now, lagging=lagging)
        add_event(session=session, source=SOURCE, orgcode=task.lead_unit, subject=task.id, data=data)
    elif action == "return":
        data = TaskReturned(task=task_ref(task), by=by, at=now, reason=reason or "")
        add_event(session=session, source=SOURCE, orgcode=task.lead_unit, subject=task.id, data=data)
    elif action in ("reassign", "change_lead"):
        announce_assigned(session=session, task=task, identity=identity, at=now)
    else:
        add_event(
            session=session,
            source=SOURCE,
            orgcode=task.lead_unit,
            subject=task.id,
            event_type=STATE_CHANGE_TYPES[action],
            data=TaskStateChanged(
                task=task_ref(task), by=by, at=now, from_state=from_state, to_state=to_state, reason=reason
            ),
        )
    return now
