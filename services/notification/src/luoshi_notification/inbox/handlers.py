"""Turns events into inbox entries for the people who must hear about them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.messaging.inbox import EventHandler
from luoshi_notification.inbox.rules import RULES, facts, recipient_units, title_of
from luoshi_notification.inbox.service import deliver
from luoshi_notification.people.service import people_with_roles
from luoshi_proto.envelope import CloudEvent


async def on_event(*, session: AsyncSession, event: CloudEvent[Any]) -> None:
    rule = RULES[event.type]
    data = event.data.model_dump(mode="json")
    units = recipient_units(rule, data, event.orgcode)
    people = await people_with_roles(session=session, org_codes=units, roles=rule.roles)
    details = facts(data)
    body = f"完成时限 {details['deadline']}" if "deadline" in details else ""
    for person in people:
        deliver(
            session=session,
            recipient_ids=[person.id],
            kind=".".join(event.type.split(".")[1:-1]),
            title=title_of(rule, data),
            body=body,
            subject=event.subject,
            org_code=person.org_code,
            event_id=event.id,
        )


HANDLERS: dict[str, EventHandler] = dict.fromkeys(RULES, on_event)
