"""Urges (催办) and supervision orders (督办): open, issue, answer, read. Keyword-only, never commit."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.errors import Problem, not_found
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_kit.orgtree import within_subtree
from luoshi_kit.paging import PageParams, fetch_page
from luoshi_kit.permissions import forbidden
from luoshi_kit.scope import require_in_scope
from luoshi_kit.workcalendar import WorkCalendar
from luoshi_proto.divisions import is_below
from luoshi_proto.supervision.v1 import UrgeAnswered, UrgeIssued, UrgeKind, UrgeRef, UrgeRole
from luoshi_proto.tasking.v1 import Actor, TaskRef
from luoshi_supervision.urges import rules
from luoshi_supervision.urges.models import Urge, UrgeStep
from luoshi_supervision.urges.rules import UrgeState
from luoshi_supervision.urges.schemas import UrgeAnswerIn, UrgeIn

SOURCE = "supervision"
CALENDAR = WorkCalendar()
"""The working-day calendar (chinesecalendar, else the provisional rule); see luoshi_kit.workcalendar."""


def urge_ref(urge: Urge) -> UrgeRef:
    return UrgeRef(
        urge_id=urge.id,
        kind=urge.kind,
        issuing_org=urge.issuing_org,
        org_code=urge.org_code,
        task_id=urge.task_id,
        task_title=urge.task_title,
        occurrence=urge.occurrence if urge.automatic else None,
        recipient_role=urge.recipient_role,
        level=urge.level,
        answer_due=urge.answer_due,
        answer_due_at=urge.answer_due_at,
        automatic=urge.automatic,
    )


def add_step(
    *,
    session: AsyncSession,
    urge: Urge,
    action: str,
    at: datetime,
    by: Identity | None = None,
    note: str | None = None,
) -> None:
    session.add(
        UrgeStep(
            id=str(uuid.uuid4()),
            urge_id=urge.id,
            action=action,
            level=urge.level,
            recipient_role=urge.recipient_role,
            actor_id=by.person_id if by else None,
            actor_org=by.org_code if by else None,
            note=note,
            at=at,
        )
    )


def _actor(identity: Identity) -> Actor:
    return Actor(person_id=identity.person_id, org_code=identity.org_code)


async def open_automatic(
    *,
    session: AsyncSession,
    kind: UrgeKind,
    task: TaskRef,
    occurrence: str,
    due: date,
    at: datetime,
    answer_hours: float,
    cal: WorkCalendar = CALENDAR,
) -> Urge | None:
    """The urge of one task alert occurrence, exactly once: INSERT … ON CONFLICT (task, kind, occurrence)
    DO NOTHING, and the step and the event only when this call inserted the row (None otherwise)."""
    level = rules.start_level(kind)
    due_at = rules.add_working_hours(at, answer_hours, cal)
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "kind": kind,
        "task_id": task.task_id,
        "task_title": task.title[:200],
        "occurrence": occurrence[:60],
        "automatic": True,
        "issuing_org": task.issuing_org,
        "org_code": task.lead_unit,
        "recipient_role": rules.role_at(level),
        "level": level,
        "state": "open",
        "message": rules.automatic_message(kind, task.title, due),
        "answer_due": rules.due_date(due_at),
        "answer_due_at": due_at,
        "issued_at": at,
        "updated_at": at,
    }
    insert: Any = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(Urge)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["task_id", "kind", "occurrence"])
        .returning(Urge.id)
    )
    inserted = (await session.execute(statement)).scalar_one_or_none()
    if inserted is None:
        return None  # this occurrence has its urge already (another event, another replica)
    urge = await session.get(Urge, inserted)
    assert urge is not None
    add_step(session=session, urge=urge, action="issued", at=at)
    add_event(
        session=session,
        source=SOURCE,
        orgcode=urge.org_code,
        subject=urge.id,
        data=UrgeIssued(urge=urge_ref(urge), at=at, message=urge.message),
    )
    return urge


async def issue(
    *, session: AsyncSession, identity: Identity, data: UrgeIn, today: date, now: datetime
) -> Urge:
    """An urge or supervision order by hand, to a unit below the caller's, with an answer date."""
    require_in_scope(identity, data.org_code)
    if not is_below(data.org_code, identity.org_code):
        raise Problem(
            422,
            "urge-own-unit",
            "不能催办本单位 Cannot urge one's own unit",
            "催办/督办对象须为本单位的下级单位或部门 The urged unit must lie below yours",
        )
    if data.answer_due < today:
        raise Problem(
            422,
            "answer-due-in-past",
            "答复期限已过 Answer date in the past",
            f"答复期限 {data.answer_due.isoformat()} 早于今天 {today.isoformat()}",
        )
    role: UrgeRole = data.recipient_role or rules.role_at(rules.start_level(data.kind))
    urge_id = str(uuid.uuid4())
    due_at = rules.due_at_end_of(data.answer_due)
    urge = Urge(
        id=urge_id,
        kind=data.kind,
        task_id=data.task_id,
        task_title=data.task_title,
        occurrence=f"manual:{urge_id}",
        automatic=False,
        issuing_org=identity.org_code,
        org_code=data.org_code,
        recipient_role=role,
        level=rules.CHAIN.index(role),
        state="open",
        message=data.message,
        answer_due=data.answer_due,
        answer_due_at=due_at,
        issued_by=identity.person_id,
        issued_at=now,
        updated_at=now,
    )
    session.add(urge)
    add_step(session=session, urge=urge, action="issued", at=now, by=identity)
    add_event(
        session=session,
        source=SOURCE,
        orgcode=urge.org_code,
        subject=urge.id,
        data=UrgeIssued(urge=urge_ref(urge), by=_actor(identity), at=now, message=urge.message),
    )
    await session.flush()
    return urge


async def get_urge(
    *, session: AsyncSession, identity: Identity, urge_id: str, for_update: bool = False
) -> Urge:
    """The urge if the caller sees its unit (404 otherwise, as for one that does not exist)."""
    query = select(Urge).where(Urge.id == urge_id)
    if for_update:
        query = query.with_for_update()
    urge = (await session.scalars(query)).one_or_none()
    if urge is None or not identity.can_see(urge.org_code):
        raise not_found("催办/督办 Urge")
    return urge


async def answer(
    *, session: AsyncSession, identity: Identity, urge_id: str, data: UrgeAnswerIn, now: datetime
) -> Urge:
    """The urged unit's answer (原因和整改措施), once; recorded on the urge and its trace."""
    urge = await get_urge(session=session, identity=identity, urge_id=urge_id, for_update=True)
    if not rules.may_answer(identity, urge.org_code):
        raise forbidden(rules.ANSWER_DENIED)
    if urge.state != "open":
        raise Problem(
            409,
            "urge-not-open",
            "无需答复 Not awaiting an answer",
            f"该催办/督办已{'答复' if urge.state == 'answered' else '关闭'} (state {urge.state})",
        )
    urge.state = "answered"
    urge.answer_reason, urge.answer_plan = data.reason, data.plan
    urge.answered_by, urge.answered_at, urge.updated_at = identity.person_id, now, now
    add_step(session=session, urge=urge, action="answered", at=now, by=identity)
    add_event(
        session=session,
        source=SOURCE,
        orgcode=urge.org_code,
        subject=urge.id,
        data=UrgeAnswered(
            urge=urge_ref(urge), by=_actor(identity), at=now, reason=data.reason, plan=data.plan
        ),
    )
    await session.flush()
    return urge


async def close_for_task(*, session: AsyncSession, task_id: str, at: datetime) -> int:
    """The task was completed or cancelled: its open urges need no answer any more (no escalation)."""
    query = select(Urge).where(Urge.task_id == task_id, Urge.state == "open").with_for_update()
    urges = (await session.scalars(query)).all()
    for urge in urges:
        urge.state, urge.updated_at = "closed", at
        add_step(session=session, urge=urge, action="closed", at=at, note="任务已办结 task completed")
    return len(urges)


async def steps_of(*, session: AsyncSession, urge_id: str) -> list[UrgeStep]:
    query = select(UrgeStep).where(UrgeStep.urge_id == urge_id).order_by(UrgeStep.at, UrgeStep.level)
    return list((await session.scalars(query)).all())


def list_query(
    *,
    identity: Identity,
    org: str | None,
    task_id: str | None,
    kind: UrgeKind | None,
    state: UrgeState | None,
) -> Select[Urge]:
    require_in_scope(identity, org)
    query = select(Urge).where(within_subtree(Urge.org_code, org or identity.org_code))
    if task_id:
        query = query.where(Urge.task_id == task_id)
    if kind:
        query = query.where(Urge.kind == kind)
    if state:
        query = query.where(Urge.state == state)
    return query.order_by(Urge.issued_at.desc(), Urge.id)


async def list_urges(
    *, session: AsyncSession, query: Select[Urge], params: PageParams
) -> tuple[list[Urge], int]:
    rows, total, _estimated = await fetch_page(session, query, params)
    return rows, total
