"""Points from tasking's and supervision's events (自动记分). Never commit: the consumer commits the entries,
their standings, their events and the inbox row together, so a redelivered event adds nothing twice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_kit.timebase import business_date
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.supervision.v1 import (
    FindingRecorded,
    ListingChanged,
    RectificationRejected,
    RectificationVerified,
    UrgeEscalated,
)
from luoshi_proto.tasking.v1 import (
    Actor,
    TaskAccepted,
    TaskAssigned,
    TaskDeadlineAlert,
    TaskExtensionDecided,
    TaskProgressReported,
    TaskStateChanged,
)
from luoshi_scoring.intake import rules
from luoshi_scoring.intake.models import TaskFact
from luoshi_scoring.intake.rules import Award
from luoshi_scoring.ledger.service import NewEntry, add_entry
from luoshi_scoring.negative.service import add_negative
from luoshi_scoring.periods import period_of
from luoshi_scoring.rulebook.rules import basis_text, points_for
from luoshi_scoring.rulebook.service import load_rulebook, rule_for

HANDLERS = HandlerTable()


async def score(
    *, session: AsyncSession, event: CloudEvent[Any], awards: Sequence[Award], by: Actor | None = None
) -> None:
    for award in awards:
        rule = await rule_for(session=session, code=award.rule_code, org_code=award.org_code, day=award.day)
        if rule is None or award.quantity <= 0:
            continue
        entry = NewEntry(
            org_code=award.org_code,
            period=period_of(award.day, rule.period_kind),
            kind="rule",
            rule_code=rule.code,
            rule_version=rule.version,
            points=points_for(rule, award.quantity),
            basis=basis_text(rule, award.detail, award.quantity),
            source_key=award.key or event.id,
            occurred_on=award.day,
            quantity=award.quantity,
            source_event_id=event.id,
            source_event_type=event.type,
            task_id=award.task_id,
        )
        await add_entry(session=session, entry=entry, by=by)


async def _fact(session: AsyncSession, task_id: str, lead_unit: str) -> TaskFact:
    fact = await session.get(TaskFact, task_id)
    if fact is None:
        fact = TaskFact(task_id=task_id, lead_unit=lead_unit)
        session.add(fact)
    fact.lead_unit = lead_unit
    return fact


@HANDLERS.on("tasking.task.assigned.v1")
async def on_assigned(*, session: AsyncSession, event: CloudEvent[TaskAssigned]) -> None:
    fact = await _fact(session, event.data.task.task_id, event.data.task.lead_unit)
    fact.assigned_at = event.data.at  # a reassignment starts the acceptance clock again


@HANDLERS.on("tasking.task.accepted.v1", prepare=load_rulebook)
async def on_accepted(*, session: AsyncSession, event: CloudEvent[TaskAccepted]) -> None:
    fact = await session.get(TaskFact, event.data.task.task_id)
    awards = rules.accepted(event.data, fact.assigned_at if fact else None)
    await score(session=session, event=event, awards=awards, by=event.data.by)


@HANDLERS.on("tasking.task.completed.v1", "tasking.task.reopened.v1")
async def on_completion(*, session: AsyncSession, event: CloudEvent[TaskStateChanged]) -> None:
    fact = await _fact(session, event.data.task.task_id, event.data.task.lead_unit)
    done = event.type == "tasking.task.completed.v1"
    fact.completed_on = business_date(event.data.at) if done else None


@HANDLERS.on("tasking.task.closed.v1", prepare=load_rulebook)
async def on_closed(*, session: AsyncSession, event: CloudEvent[TaskStateChanged]) -> None:
    fact = await session.get(TaskFact, event.data.task.task_id)
    awards = rules.closed(event.data, fact.completed_on if fact else None)
    await score(session=session, event=event, awards=awards, by=event.data.by)


@HANDLERS.on("tasking.task.overdue.v1", prepare=load_rulebook)
async def on_overdue(*, session: AsyncSession, event: CloudEvent[TaskDeadlineAlert]) -> None:
    """超期: a deduction, and the key task enters the lead unit's negative list (未按时序进度完成)."""
    awards = rules.overdue(event.data, event.time)
    await score(session=session, event=event, awards=awards)
    task = event.data.task
    await add_negative(
        session=session,
        org_code=task.lead_unit,
        day=awards[0].day,
        basis=f"重点任务「{task.title}」({task.task_id}) 超过时限 {event.data.due} 未完成",
        source="task_overdue",
        source_key=f"overdue:{task.task_id}:{event.data.occurrence}",
        task_id=task.task_id,
        source_event_id=event.id,
    )


@HANDLERS.on("tasking.task.report_missing.v1", prepare=load_rulebook)
async def on_report_missing(*, session: AsyncSession, event: CloudEvent[TaskDeadlineAlert]) -> None:
    await score(session=session, event=event, awards=rules.report_missing(event.data, event.time))


@HANDLERS.on("tasking.task.progress_reported.v1", prepare=load_rulebook)
async def on_progress(*, session: AsyncSession, event: CloudEvent[TaskProgressReported]) -> None:
    await score(session=session, event=event, awards=rules.progress_reported(event.data), by=event.data.by)


@HANDLERS.on("tasking.task.extension_decided.v1", prepare=load_rulebook)
async def on_extension(*, session: AsyncSession, event: CloudEvent[TaskExtensionDecided]) -> None:
    await score(session=session, event=event, awards=rules.extension_decided(event.data), by=event.data.by)


@HANDLERS.on("supervision.finding.recorded.v1", prepare=load_rulebook)
async def on_finding(*, session: AsyncSession, event: CloudEvent[FindingRecorded]) -> None:
    await score(session=session, event=event, awards=rules.finding(event.data), by=event.data.by)


@HANDLERS.on("supervision.rectification.verified.v1", prepare=load_rulebook)
async def on_verified(*, session: AsyncSession, event: CloudEvent[RectificationVerified]) -> None:
    await score(session=session, event=event, awards=rules.verified(event.data), by=event.data.by)


@HANDLERS.on("supervision.rectification.rejected.v1", prepare=load_rulebook)
async def on_rejected(*, session: AsyncSession, event: CloudEvent[RectificationRejected]) -> None:
    """整改不到位: a deduction, and the unit's negative list (未按标准完成)."""
    awards = rules.rejected(event.data)
    await score(session=session, event=event, awards=awards, by=event.data.by)
    r = event.data.rectification
    await add_negative(
        session=session,
        org_code=r.responsible_unit,
        day=awards[0].day,
        basis=f"整改「{r.title}」({r.rectification_id}) 未按标准完成: {event.data.reason}",
        source="rectification_rejected",
        source_key=event.id,
        task_id=r.task_id,
        source_event_id=event.id,
        by=event.data.by,
    )


@HANDLERS.on("supervision.listing.placed.v1", prepare=load_rulebook)
async def on_listed(*, session: AsyncSession, event: CloudEvent[ListingChanged]) -> None:
    await score(session=session, event=event, awards=rules.listed(event.data), by=event.data.by)


@HANDLERS.on("supervision.urge.escalated.v1", prepare=load_rulebook)
async def on_urge_escalated(*, session: AsyncSession, event: CloudEvent[UrgeEscalated]) -> None:
    await score(session=session, event=event, awards=rules.urge_unanswered(event.data))
