"""Turns one event into inbox messages (and their planned sends) for the people who must hear it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_notification.inbox.models import Notification
from luoshi_notification.inbox.service import delivered_to, new_message
from luoshi_notification.people.service import people_with_roles
from luoshi_notification.routing.rules import audience, body_of, is_urgent, kind_of, title_of
from luoshi_notification.routing.table import RULES
from luoshi_notification.sends.service import plan_sends
from luoshi_proto.envelope import CloudEvent


async def notify(*, session: AsyncSession, event: CloudEvent[Any]) -> list[Notification]:
    rule = RULES.get(event.type)
    if rule is None or not rule.hears:
        return []
    reach = audience(rule, event)
    if not reach:
        return []
    people = await people_with_roles(session=session, org_codes=list(reach), roles=None)
    title, body, urgent = title_of(rule, event.data), body_of(rule, event.data), is_urgent(rule, event.data)
    hearing = [p for p in people if any(role in p.roles for role in reach.get(p.org_code, ()))]
    if not hearing:
        return []
    # One query for who already has it (a redelivered event), not one per person.
    done = await delivered_to(session=session, event_id=event.id, recipient_ids=[p.id for p in hearing])
    created = [
        new_message(
            session=session,
            recipient_id=person.id,
            kind=kind_of(event.type),
            title=title,
            body=body,
            subject=event.subject,
            org_code=person.org_code,
            event_id=event.id,
            urgent=urgent,
        )
        for person in hearing
        if person.id not in done
    ]
    await plan_sends(session=session, notifications=created)
    return created
