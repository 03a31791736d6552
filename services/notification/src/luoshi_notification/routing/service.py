"""Turns one event into inbox messages (and their planned sends) for the people who must hear it.

The consumer hands the handler a batch of events in one transaction: ``load_audiences`` reads, for the whole
batch, the people its events may reach and who already has each event's message (two queries, not two per
event), and the messages' sends are planned once, at the batch's end (``luoshi_kit.messaging.batch``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.messaging.batch import batch_cache, deferred
from luoshi_notification.inbox.models import Notification
from luoshi_notification.inbox.service import delivered_to, new_message
from luoshi_notification.people.models import Person
from luoshi_notification.people.service import people_with_roles
from luoshi_notification.routing.rules import audience, body_of, is_urgent, kind_of, title_of
from luoshi_notification.routing.table import RULES
from luoshi_notification.sends.service import plan_sends
from luoshi_proto.envelope import CloudEvent

_PEOPLE, _DELIVERED = "notification_people", "notification_delivered"


async def load_audiences(*, session: AsyncSession, events: Sequence[CloudEvent[Any]]) -> None:
    """For a batch: the active people of every organisation its events reach, and who already has each
    event's message (a redelivered event), in one query each."""
    reaches = [audience(rule, e) for e in events if (rule := RULES.get(e.type)) is not None and rule.hears]
    orgs = sorted({org for reach in reaches for org in reach})
    people: dict[str, list[Person]] = batch_cache(session, _PEOPLE)
    people.update({org: [] for org in orgs})
    for person in await people_with_roles(session=session, org_codes=orgs, roles=None) if orgs else []:
        people[person.org_code].append(person)
    delivered: dict[str, set[str]] = batch_cache(session, _DELIVERED)
    delivered.update({e.id: set() for e in events})
    query = select(Notification.event_id, Notification.recipient_id).where(
        Notification.event_id.in_([e.id for e in events])
    )
    for event_id, recipient_id in (await session.execute(query)).all():
        delivered[event_id].add(recipient_id)


async def notify(*, session: AsyncSession, event: CloudEvent[Any]) -> list[Notification]:
    rule = RULES.get(event.type)
    if rule is None or not rule.hears:
        return []
    reach = audience(rule, event)
    if not reach:
        return []
    people = await _people(session, list(reach))
    title, body, urgent = title_of(rule, event.data), body_of(rule, event.data), is_urgent(rule, event.data)
    hearing = [p for p in people if any(role in p.roles for role in reach.get(p.org_code, ()))]
    if not hearing:
        return []
    done = await _delivered(session, event.id, [p.id for p in hearing])
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
    deferred(session, _plan_batch_sends, list).extend(created)
    return created


async def _people(session: AsyncSession, orgs: list[str]) -> list[Person]:
    loaded: dict[str, list[Person]] = batch_cache(session, _PEOPLE)
    if all(org in loaded for org in orgs):
        return [person for org in orgs for person in loaded[org]]
    return await people_with_roles(session=session, org_codes=orgs, roles=None)


async def _delivered(session: AsyncSession, event_id: str, recipient_ids: list[str]) -> set[str]:
    loaded: dict[str, set[str]] = batch_cache(session, _DELIVERED)
    if event_id in loaded:
        return loaded[event_id]
    return await delivered_to(session=session, event_id=event_id, recipient_ids=recipient_ids)


async def _plan_batch_sends(session: AsyncSession, created: list[Notification]) -> None:
    await plan_sends(session=session, notifications=created)
