"""Turns events into inbox entries for the people who must hear about them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.messaging.handlers import HandlerTable, ModelT
from luoshi_notification.inbox.rules import DOCUMENT_RULES, TASK_RULES, Rule, task_audience, title_of
from luoshi_notification.inbox.service import deliver
from luoshi_notification.people.service import people_with_roles
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.tasking.v1 import DocumentStudyAlert, TaskEvent

HANDLERS = HandlerTable()


@HANDLERS.on(*TASK_RULES)
async def on_task_event(*, session: AsyncSession, event: CloudEvent[TaskEvent]) -> None:
    rule = TASK_RULES[event.type]
    units = task_audience(rule.audience, event.data.task, event.data)
    await _notify(session, event, rule, units, body=f"完成时限 {event.data.task.deadline}")


@HANDLERS.on(*DOCUMENT_RULES)
async def on_document_alert(*, session: AsyncSession, event: CloudEvent[DocumentStudyAlert]) -> None:
    rule = DOCUMENT_RULES[event.type]
    await _notify(session, event, rule, [event.data.document.org_code], body=f"时限 {event.data.due}")


async def _notify(
    session: AsyncSession, event: CloudEvent[ModelT], rule: Rule, units: list[str], *, body: str
) -> None:
    people = await people_with_roles(session=session, org_codes=units, roles=rule.roles)
    title = title_of(rule, event.data)
    for person in people:
        deliver(
            session=session,
            recipient_ids=[person.id],
            kind=".".join(event.type.split(".")[1:-1]),
            title=title,
            body=body,
            subject=event.subject,
            org_code=person.org_code,
            event_id=event.id,
        )
