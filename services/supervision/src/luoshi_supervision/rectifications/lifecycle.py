"""One step of a rectification item: state, trace and outbox event together. Events are routed under the
responsible unit (a finding exists only once its inspection was conducted, so nothing is concealed)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_proto.supervision.v1 import RectificationRef
from luoshi_supervision.inspections.lifecycle import SOURCE
from luoshi_supervision.rectifications.models import Rectification, RectificationTrace
from luoshi_supervision.rectifications.rules import transition


def rectification_ref(item: Rectification) -> RectificationRef:
    return RectificationRef(
        rectification_id=item.id,
        finding_id=item.finding_id,
        title=item.title,
        responsible_unit=item.responsible_unit,
        inspecting_org=item.inspecting_org,
        leading_leader=item.leading_leader,
        task_id=item.task_id,
        deadline=item.deadline,
        listed=item.listed,
    )


def trace(
    *,
    session: AsyncSession,
    item: Rectification,
    identity: Identity | None,
    action: str,
    at: datetime,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        RectificationTrace(
            id=str(uuid.uuid4()),
            rectification_id=item.id,
            action=action,
            actor_id=identity.person_id if identity else "system",
            actor_org=identity.org_code if identity else item.inspecting_org,
            reason=reason,
            detail=detail or {},
            at=at,
        )
    )


def publish(
    *, session: AsyncSession, item: Rectification, data: BaseModel, event_type: str | None = None
) -> None:
    add_event(
        session=session,
        source=SOURCE,
        orgcode=item.responsible_unit,
        subject=item.id,
        data=data,
        event_type=event_type,
    )


def move(
    *,
    session: AsyncSession,
    item: Rectification,
    identity: Identity | None,
    action: str,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> datetime:
    """The state change and its trace; the caller stages the event (its payload differs per action)."""
    from_state = item.state
    item.state = transition(from_state, action)
    now = utcnow()
    item.updated_at = now
    trace(
        session=session,
        item=item,
        identity=identity,
        action=action,
        at=now,
        reason=reason,
        detail={"from_state": from_state, "to_state": item.state, **(detail or {})},
    )
    return now
