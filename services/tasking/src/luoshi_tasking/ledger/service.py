"""Ledger use cases (台账). Keyword-only, never commit: the caller owns the transaction."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_kit.timebase import business_today
from luoshi_proto.tasking.v1 import LedgerEntryRecorded
from luoshi_tasking.ledger.models import LedgerEntry
from luoshi_tasking.ledger.rules import KINDS, LABEL_EXAMPLES, current_labels, period_label, valid_label
from luoshi_tasking.ledger.schemas import Checkpoint, EntryCreate, LedgerTask
from luoshi_tasking.tasks.lifecycle import SOURCE, actor, task_ref, trace
from luoshi_tasking.tasks.models import Task
from luoshi_tasking.tasks.permissions import WORKING_ROLES

# A ledger lists the unit's live tasks (to sign, in work, awaiting review, closed out but not archived).
LEDGER_STATES = ("assigned", "accepted", "completed", "closed")


def add_entry(
    *,
    session: AsyncSession,
    org_code: str,
    task: Task,
    kind: str,
    identity: Identity,
    at: datetime,
    label: str | None = None,
    note: str | None = None,
) -> LedgerEntry:
    """A ledger entry and its tasking.ledger.entry_recorded.v1 event, in the caller's transaction."""
    cadence = KINDS[kind][0]
    entry = LedgerEntry(
        id=str(uuid.uuid4()),
        org_code=org_code,
        task_id=task.id,
        kind=kind,
        period_label=label or period_label(cadence, business_today(at)),
        note=note,
        recorded_by=identity.person_id,
        recorded_at=at,
    )
    session.add(entry)
    add_event(
        session=session,
        source=SOURCE,
        orgcode=org_code,
        subject=task.id,
        data=LedgerEntryRecorded(
            task=task_ref(task),
            by=actor(identity),
            at=at,
            entry_id=entry.id,
            org_code=org_code,
            kind=kind,
            period_label=entry.period_label,
        ),
    )
    return entry


async def _entries(session: AsyncSession, org_code: str, task_ids: list[str]) -> list[LedgerEntry]:
    if not task_ids:
        return []
    rows = await session.scalars(
        select(LedgerEntry).where(LedgerEntry.org_code == org_code, LedgerEntry.task_id.in_(task_ids))
    )
    return list(rows)


async def record_entry(
    *, session: AsyncSession, identity: Identity, org_code: str, data: EntryCreate
) -> LedgerEntry:
    """A unit records a checkpoint (对账/查账/交账/周调度/月自查/季总结) for one of its tasks."""
    if not identity.can_see(org_code):
        raise Problem(404, "not-found", "台账不存在 Ledger not found", f"单位 {org_code} 不在本单位范围内")
    if identity.org_code != org_code or not identity.has_any(*WORKING_ROLES):
        raise Problem(403, "forbidden", "无权操作 Forbidden", "只有本单位人员可以记录本单位台账")
    task = await session.scalar(select(Task).where(Task.id == data.task_id).with_for_update())
    if task is None or (task.lead_unit != org_code and org_code not in task.co_units):
        raise Problem(404, "not-found", "任务不存在 Task not found", "本单位台账中没有此任务")
    cadence = KINDS[data.kind][0]
    label = data.period_label or period_label(cadence, business_today())
    if not valid_label(cadence, label):
        raise Problem(
            422,
            "invalid-period",
            "期间格式有误 Invalid period",
            f"{KINDS[data.kind][1]}的期间应形如 {LABEL_EXAMPLES[cadence]}, 收到 {label}",
        )
    existing = {(e.kind, e.period_label) for e in await _entries(session, org_code, [task.id])}
    if not any(k == "open" for k, _ in existing):
        raise Problem(409, "ledger-not-open", "尚未建账 No ledger account", "任务签收 (或协办确认) 后才建账")
    if any(k == "close_out" for k, _ in existing):
        raise Problem(409, "ledger-closed", "已销号 Ledger closed out", "任务已销号, 不再记录台账")
    if (data.kind, label) in existing:
        raise Problem(
            409, "duplicate-entry", "本期已记录 Already recorded", f"{KINDS[data.kind][1]} {label} 已记录"
        )
    now = utcnow()
    entry = add_entry(
        session=session,
        org_code=org_code,
        task=task,
        kind=data.kind,
        identity=identity,
        at=now,
        label=label,
        note=data.note,
    )
    trace(
        session=session,
        task=task,
        identity=identity,
        action=f"ledger.{data.kind}",
        at=now,
        detail={"org_code": org_code, "period_label": label, "entry_id": entry.id},
    )
    return entry


async def ledger_of(
    *,
    session: AsyncSession,
    identity: Identity,
    org_code: str,
    offset: int,
    limit: int,
    as_of: date | None = None,
) -> tuple[list[LedgerTask], int, date]:
    """The unit's tasks (as lead unit or co-unit) with their account and this period's checkpoints."""
    if not identity.can_see(org_code):
        raise Problem(404, "not-found", "台账不存在 Ledger not found", f"单位 {org_code} 不在本单位范围内")
    day = as_of or business_today()
    involved = (Task.lead_unit == org_code) | cast(Task.co_units, String).contains(f'"{org_code}"')
    query = select(Task).where(involved, Task.state.in_(LEDGER_STATES))
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    tasks = list(await session.scalars(query.order_by(Task.deadline, Task.id).offset(offset).limit(limit)))
    entries = await _entries(session, org_code, [t.id for t in tasks])
    labels = current_labels(day)
    items = []
    for task in tasks:
        mine = [e for e in entries if e.task_id == task.id]
        recorded = {(e.kind, e.period_label) for e in mine}
        opened = next((e.recorded_at for e in mine if e.kind == "open"), None)
        closed = next((e.recorded_at for e in mine if e.kind == "close_out"), None)
        checkpoints = [
            Checkpoint(kind=k, name=KINDS[k][1], period_label=label, recorded=(k, label) in recorded)
            for k, label in labels.items()
        ]
        live = opened is not None and closed is None
        items.append(
            LedgerTask(
                task_id=task.id,
                title=task.title,
                role="lead" if task.lead_unit == org_code else "co_unit",
                state=task.state,
                deadline=task.deadline,
                progress_percent=task.progress_percent,
                opened_at=opened,
                closed_out_at=closed,
                checkpoints=checkpoints,
                missing=[c.kind for c in checkpoints if live and not c.recorded],
            )
        )
    return items, total, day
