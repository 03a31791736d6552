"""Decomposition use cases (分解): propose periods, create subtasks. Keyword-only, never commit.

The lead unit decomposes its own task: each subtask's issuing organisation is the parent's lead
unit. A subtask the lead unit keeps for itself (a period slice) is accepted on creation — no one
else is there to sign for it — and opens its ledger account; a subtask for a unit below it starts
assigned, and that unit signs for it and may decompose it further in turn.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.timebase import business_today
from luoshi_proto.divisions import is_within
from luoshi_tasking.ledger.rules import valid_label
from luoshi_tasking.tasks.acceptance import accept_task
from luoshi_tasking.tasks.decomposition import (
    NATURES,
    DecompositionError,
    period_kind_for,
    propose_periods,
    suggested_kind,
)
from luoshi_tasking.tasks.models import Task
from luoshi_tasking.tasks.permissions import require
from luoshi_tasking.tasks.rollup import roll_up
from luoshi_tasking.tasks.rules import check_deadline
from luoshi_tasking.tasks.schemas import (
    DecompositionProposal,
    ProposedPeriod,
    SubtaskCreate,
    TaskCreate,
)
from luoshi_tasking.tasks.service import (
    check_lead_not_co_unit,
    get_task,
    new_task,
    record_assignment,
    require_known_orgs,
)


def require_accepted(task: Task, doing: str) -> None:
    if task.state != "accepted":
        raise Problem(
            409,
            "task-not-accepted",
            "任务未处于落实中 Task not in progress",
            f"任务处于 {task.state}, 签收后 (落实中) 才能{doing}",
            state=task.state,
        )


def task_start(task: Task) -> date:
    return task.start_date or business_today(task.created_at)


async def proposal(
    *, session: AsyncSession, identity: Identity, task_id: str, kind: str | None
) -> DecompositionProposal:
    """Periods from the task's start to its deadline, of the kind its nature calls for (unless
    ``kind`` says otherwise), and subtask bodies for them that the user adjusts and posts to
    ``/subtasks``. Periods already past are proposed too: a yearly task decomposed in December
    still gets all four quarters (the past ones are records of what was due then)."""
    task = await get_task(session=session, identity=identity, task_id=task_id)
    start = min(task_start(task), task.deadline)
    try:
        if kind:
            period_kind = period_kind_for(kind)
        elif task.nature in NATURES:
            period_kind = NATURES[task.nature][0]
        else:
            period_kind = suggested_kind(start, task.deadline)
        periods = propose_periods(period_kind, start, task.deadline)
    except DecompositionError as exc:
        raise Problem(422, "invalid-decomposition", "无法分解 Cannot decompose", str(exc)) from exc
    return DecompositionProposal(
        task_id=task.id,
        nature=task.nature,
        period_kind=period_kind,
        start=start,
        deadline=task.deadline,
        periods=[ProposedPeriod(kind=p.kind, label=p.label, start=p.start, end=p.end) for p in periods],
        items=[
            SubtaskCreate(
                title=f"{task.title} ({p.label})",
                lead_unit=task.lead_unit,
                start_date=p.start,
                deadline=p.end,
                period_kind=p.kind,
                period_label=p.label,
            )
            for p in periods
        ],
    )


def _check_item(parent: Task, item: SubtaskCreate, index: int, today: date) -> str:
    lead = item.lead_unit or parent.lead_unit
    check_lead_not_co_unit(lead, item.co_units)
    outside = [u for u in [lead, *item.co_units] if not is_within(u, parent.lead_unit)]
    if outside:
        raise Problem(
            422,
            "assign-outside-subtree",
            "只能分解给本单位或下级 Subtasks stay in the lead unit's subtree",
            f"第 {index + 1} 项: 以下单位不在 {parent.lead_unit} 范围内: {', '.join(outside)}",
            units=outside,
            item=index,
        )
    if item.deadline > parent.deadline:
        raise Problem(
            422,
            "deadline-after-parent",
            "时限晚于上级任务 Deadline after the parent's",
            f"第 {index + 1} 项: 完成时限 {item.deadline} 晚于上级任务的 {parent.deadline}",
            item=index,
        )
    if item.period_kind is None:
        check_deadline(item.deadline, today)  # a period slice of the past is a record; a part is not
    elif parent.start_date and item.start_date and item.start_date < parent.start_date:
        raise Problem(
            422,
            "start-before-parent",
            "开始日期早于上级任务 Start before the parent's",
            f"第 {index + 1} 项: 开始日期 {item.start_date} 早于上级任务的 {parent.start_date}",
            item=index,
        )
    if item.period_kind and item.period_label and not valid_label(item.period_kind, item.period_label):
        raise Problem(
            422, "invalid-period", "期间格式有误 Invalid period", f"第 {index + 1} 项: {item.period_label}"
        )
    return lead


def _slot(item: SubtaskCreate, lead: str) -> tuple[str, ...]:
    """What makes a subtask the same one again: its period, or (no period) its title and unit."""
    if item.period_kind and item.period_label:
        return ("period", item.period_kind, item.period_label, lead)
    return ("part", item.title, lead)


async def _check_not_decomposed(
    session: AsyncSession, parent: Task, items: list[SubtaskCreate], leads: list[str]
) -> None:
    """A decomposition is applied once: 409 for an item whose period (or title and unit) a live
    subtask already covers, 422 for the same item twice in one request."""
    slots = [_slot(item, lead) for item, lead in zip(items, leads, strict=True)]
    if len(set(slots)) != len(slots):
        raise Problem(
            422, "duplicate-subtask", "分解项重复 Duplicate items", "同一期间或同一事项只能分解一次"
        )
    children = await session.scalars(
        select(Task).where(Task.parent_id == parent.id, Task.state != "cancelled")
    )
    existing: dict[tuple[str, ...], str] = {}
    for child in children:
        if child.period_kind and child.period_label:
            existing[("period", child.period_kind, child.period_label, child.lead_unit)] = child.id
        existing[("part", child.title, child.lead_unit)] = child.id
    clashes = [existing[slot] for slot in slots if slot in existing]
    if clashes:
        raise Problem(
            409,
            "already-decomposed",
            "已分解 Already decomposed",
            f"上级任务已有相同期间或事项的子任务 ({len(clashes)} 项); 分解只执行一次, "
            "如需调整请变更或撤销原有子任务",
            subtask_ids=clashes,
        )


async def create_subtasks(
    *, session: AsyncSession, identity: Identity, task_id: str, items: list[SubtaskCreate]
) -> list[Task]:
    parent = await get_task(session=session, identity=identity, task_id=task_id, lock=True)
    require(identity, parent, "decompose")
    require_accepted(parent, "分解")
    today = business_today()
    leads = [_check_item(parent, item, i, today) for i, item in enumerate(items)]
    await _check_not_decomposed(session, parent, items, leads)
    units = {u for lead, item in zip(leads, items, strict=True) for u in [lead, *item.co_units]}
    await require_known_orgs(session=session, codes=sorted(units))
    created = []
    for item, lead in zip(items, leads, strict=True):
        data = TaskCreate(
            title=item.title,
            description=item.description,
            source=parent.source,
            source_level=parent.source_level,
            source_ref=parent.source_ref,
            category=parent.category,
            lead_unit=lead,
            co_units=item.co_units,
            principal_id=item.principal_id,
            deputy_id=item.deputy_id,
            handler_id=item.handler_id,
            start_date=item.start_date,
            deadline=item.deadline,
            required_progress=item.required_progress,
            measures=item.measures,
            report_due_dates=item.report_due_dates,
            nature=item.nature,
        )
        task = new_task(
            data=data,
            issuing_org=parent.lead_unit,
            created_by=identity.person_id,
            parent_id=parent.id,
            period_kind=item.period_kind,
            period_label=item.period_label,
        )
        record_assignment(session=session, task=task, identity=identity)
        if lead == parent.lead_unit:
            accept_task(session=session, task=task, identity=identity, note="本单位分解, 自动签收")
        created.append(task)
    await session.flush()
    await roll_up(session=session, task=created[0], identity=identity)
    parent.updated_at = utcnow()
    return created
