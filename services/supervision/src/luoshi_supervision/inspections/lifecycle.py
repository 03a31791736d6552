"""One step of an inspection's life: the state change, its trace and its outbox event together.

Routing: until an unannounced inspection (暗访) is conducted its events go out under the inspecting
office's organisation (``orgcode``, so the routing key lies in the office's subtree) and name no target or
task; from ``conducted`` on they carry the targets, under the single target's code (several targets: the
office's code).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_proto.supervision.v1 import (
    InspectionConducted,
    InspectionRef,
    InspectionReported,
    InspectionScheduled,
)
from luoshi_proto.tasking.v1 import Actor
from luoshi_supervision.inspections.models import Inspection, InspectionTrace
from luoshi_supervision.inspections.rules import hidden_from_targets, transition

SOURCE = "supervision"


def actor(identity: Identity) -> Actor:
    return Actor(person_id=identity.person_id, org_code=identity.org_code)


def concealed(inspection: Inspection) -> bool:
    return hidden_from_targets(
        unannounced=inspection.unannounced, conducted=inspection.conducted_at is not None
    )


def inspection_ref(inspection: Inspection, targets: list[str]) -> InspectionRef:
    hide = concealed(inspection)
    return InspectionRef(
        inspection_id=inspection.id,
        title=inspection.title,
        kind=inspection.kind,  # type: ignore[arg-type]  # stored str, checked by the schema on the way in
        inspecting_org=inspection.inspecting_org,
        target_orgs=[] if hide else list(targets),
        task_ids=[] if hide else list(inspection.task_ids or []),
        planned_start=inspection.planned_start,
        planned_end=inspection.planned_end,
        unannounced=inspection.unannounced,
    )


def event_orgcode(inspection: Inspection, targets: list[str]) -> str:
    """The organisation an inspection's event is routed under (see the module doc)."""
    if concealed(inspection) or len(targets) != 1:
        return inspection.inspecting_org
    return targets[0]


def trace(
    *,
    session: AsyncSession,
    inspection: Inspection,
    identity: Identity | None,
    action: str,
    at: datetime,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        InspectionTrace(
            id=str(uuid.uuid4()),
            inspection_id=inspection.id,
            action=action,
            actor_id=identity.person_id if identity else "system",
            actor_org=identity.org_code if identity else inspection.inspecting_org,
            reason=reason,
            detail=detail or {},
            at=at,
        )
    )


def announce_scheduled(
    *,
    session: AsyncSession,
    inspection: Inspection,
    targets: list[str],
    identity: Identity | None,
    at: datetime,
) -> None:
    trace(session=session, inspection=inspection, identity=identity, action="schedule", at=at)
    add_event(
        session=session,
        source=SOURCE,
        orgcode=event_orgcode(inspection, targets),
        subject=inspection.id,
        data=InspectionScheduled(
            inspection=inspection_ref(inspection, targets), by=actor(identity) if identity else None, at=at
        ),
    )


def step(
    *,
    session: AsyncSession,
    inspection: Inspection,
    targets: list[str],
    identity: Identity,
    action: str,
    reason: str | None = None,
    conducted_on: date | None = None,
    detail: dict[str, Any] | None = None,
) -> datetime:
    """Move ``inspection`` by ``action`` (409 if illegal), record the trace and stage the event."""
    from_state = inspection.state
    inspection.state = transition(from_state, action)
    now = utcnow()
    inspection.updated_at = now
    if action == "conduct":
        inspection.conducted_at = now
        inspection.conducted_on = conducted_on
    elif action == "report":
        inspection.reported_at = now
    trace(
        session=session,
        inspection=inspection,
        identity=identity,
        action=action,
        at=now,
        reason=reason,
        detail={"from_state": from_state, "to_state": inspection.state, **(detail or {})},
    )
    ref = inspection_ref(inspection, targets)
    orgcode = event_orgcode(inspection, targets)
    if action == "conduct":
        assert conducted_on is not None
        data: Any = InspectionConducted(inspection=ref, by=actor(identity), at=now, conducted_on=conducted_on)
    elif action == "report":
        data = InspectionReported(
            inspection=ref, by=actor(identity), at=now, findings=inspection.findings_count
        )
    else:
        return now  # cancel: traced, no event type
    add_event(session=session, source=SOURCE, orgcode=orgcode, subject=inspection.id, data=data)
    return now
