"""The facts of a bulletin, from the gateway's read models (task views, timeline, summaries, dashboard).

Keyword-only, never commits (it only reads).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.bulletins.rules import Facts, LateTask, Period, UnitFigures
from luoshi_gateway.orgs.models import Org
from luoshi_gateway.views import summaries
from luoshi_gateway.views.models import TaskView, TimelineEntry
from luoshi_gateway.views.service import dashboard
from luoshi_kit.identity import Identity
from luoshi_kit.orgtree import within_subtree
from luoshi_proto.tasking.states import OPEN_STATES

LISTED = 50  # tasks named in a section; the rest are counted
SUPERVISION_KINDS = {
    "supervision.urge.issued.v1": "催办、督办",
    "supervision.urge.escalated.v1": "督办逐级提级",
    "supervision.inspection.conducted.v1": "开展督查",
    "supervision.rectification.ordered.v1": "下达整改",
    "supervision.rectification.verified.v1": "整改销号",
    "supervision.rectification.rejected.v1": "整改退回",
    "supervision.listing.placed.v1": "挂牌督办",
}


async def _names(session: AsyncSession, codes: set[str]) -> dict[str, str]:
    rows = await session.execute(select(Org.code, Org.name).where(Org.code.in_(codes)))
    return {code: name for code, name in rows}


async def _completed(
    session: AsyncSession, org_code: str, period: Period
) -> tuple[list[tuple[str, str, date, bool]], int]:
    where = (
        within_subtree(TaskView.lead_unit, org_code),
        TaskView.completed_on >= period.start,
        TaskView.completed_on <= period.end,
    )
    total = int(await session.scalar(select(func.count()).select_from(TaskView).where(*where)) or 0)
    rows = (
        await session.scalars(select(TaskView).where(*where).order_by(TaskView.completed_on).limit(LISTED))
    ).all()
    names = await _names(session, {r.lead_unit for r in rows})
    listed = [
        (r.title, names.get(r.lead_unit, r.lead_unit), r.completed_on, r.completed_on <= r.deadline)
        for r in rows
        if r.completed_on is not None
    ]
    return listed, total


async def _reasons(session: AsyncSession, task_ids: list[str]) -> dict[str, str]:
    """The latest stated reason on each task's timeline (an urge answered, an extension asked, …)."""
    rows = await session.scalars(
        select(TimelineEntry).where(TimelineEntry.task_id.in_(task_ids)).order_by(TimelineEntry.at.desc())
    )
    reasons: dict[str, str] = {}
    for entry in rows:
        reason = entry.data.get("reason") if isinstance(entry.data, dict) else None
        if reason and entry.task_id not in reasons:
            reasons[entry.task_id] = str(reason)
    return reasons


async def _late(session: AsyncSession, org_code: str) -> list[LateTask]:
    rows = (
        await session.scalars(
            select(TaskView)
            .where(
                within_subtree(TaskView.lead_unit, org_code),
                TaskView.state.in_(OPEN_STATES),
                or_(TaskView.overdue, TaskView.lagging),
            )
            .order_by(TaskView.overdue.desc(), TaskView.deadline, TaskView.task_id)
            .limit(LISTED)
        )
    ).all()
    names = await _names(session, {r.lead_unit for r in rows})
    reasons = await _reasons(session, [r.task_id for r in rows])
    return [
        LateTask(
            title=r.title,
            unit=names.get(r.lead_unit, r.lead_unit),
            deadline=r.deadline,
            overdue=r.overdue,
            progress_percent=r.progress_percent,
            reason=reasons.get(r.task_id),
        )
        for r in rows
    ]


async def _supervision(session: AsyncSession, org_code: str, period: Period) -> dict[str, int]:
    rows = await session.execute(
        select(TimelineEntry.event_type, func.count())
        .where(
            TimelineEntry.event_type.in_(SUPERVISION_KINDS),
            within_subtree(TimelineEntry.org_code, org_code),
            func.date(TimelineEntry.at) >= period.start,
            func.date(TimelineEntry.at) <= period.end,
        )
        .group_by(TimelineEntry.event_type)
    )
    counted: dict[str, int] = {event_type: n for event_type, n in rows}
    return {kind: counted[t] for t, kind in SUPERVISION_KINDS.items() if counted.get(t)}


async def gather(
    *, session: AsyncSession, identity: Identity, org_code: str, period: Period, today: date
) -> Facts:
    board = await dashboard(session=session, identity=identity, org_code=org_code)  # 404 outside the subtree
    own = (await summaries.figures_of(session=session, org_codes=[org_code]))[org_code]
    completed, completed_total = await _completed(session, org_code, period)
    children = [
        UnitFigures(c.name, c.tasks, c.closed, c.closed_on_time, c.overdue, c.lagging, c.points, c.rank)
        for c in board.children
    ]
    return Facts(
        org_name=board.name,
        period=period,
        issued_on=today,
        own=UnitFigures(
            board.name, own["tasks"], own["closed"], own["closed_on_time"], own["overdue"], own["lagging"]
        ),
        children=children,
        completed=completed,
        completed_total=completed_total,
        late=await _late(session, org_code),
        supervision=await _supervision(session, org_code, period),
        ranking_published=any(c.rank is not None for c in children),
    )
