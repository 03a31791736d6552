"""Progress report use cases (落实反馈). Keyword-only, never commit: the caller owns the transaction."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_proto.tasking.v1 import TaskProgressReported
from luoshi_tasking.reports.models import ProgressReport
from luoshi_tasking.reports.schemas import ReportCreate
from luoshi_tasking.tasks.lifecycle import SOURCE, actor, task_ref, trace
from luoshi_tasking.tasks.permissions import require
from luoshi_tasking.tasks.rollup import has_live_children, roll_up
from luoshi_tasking.tasks.service import get_task
from luoshi_tasking.tasks.status import status_now
from luoshi_tasking.tasks.subtasks import require_accepted


async def submit_report(
    *, session: AsyncSession, identity: Identity, task_id: str, data: ReportCreate
) -> ProgressReport:
    task = await get_task(session=session, identity=identity, task_id=task_id, lock=True)
    require(identity, task, "report")
    require_accepted(task, "反馈")
    to_lead_unit = identity.org_code != task.lead_unit
    now = utcnow()
    report = ProgressReport(
        id=str(uuid.uuid4()),
        task_id=task.id,
        reporter_id=identity.person_id,
        org_code=identity.org_code,
        to_lead_unit=to_lead_unit,
        progress_percent=data.progress_percent,
        progress=data.progress,
        problems=data.problems,
        measures=data.measures,
        reported_at=now,
    )
    session.add(report)
    detail: dict[str, object] = {"report_id": report.id, "progress_percent": data.progress_percent}
    if to_lead_unit:
        detail["to_lead_unit"] = True
    else:
        task.last_report_at = now
        task.updated_at = now
        # A parent with subtasks takes its percentage from them (see tasks/rollup.py).
        if not await has_live_children(session=session, task=task):
            detail["previous_progress_percent"] = task.progress_percent
            task.progress_percent = data.progress_percent
            await roll_up(session=session, task=task, identity=identity)
    trace(session=session, task=task, identity=identity, action="reported", at=now, detail=detail)
    # Whether the task is still behind after this report: the dashboard's figures follow it, so a report
    # that does not catch up keeps the task yellow there as in the task list (the deadline scan warns of
    # lagging once a week only, and never in the week the task was accepted).
    lagging = (await status_now(session=session, task=task)).lagging
    add_event(
        session=session,
        source=SOURCE,
        orgcode=task.lead_unit,
        subject=task.id,
        data=TaskProgressReported(
            task=task_ref(task),
            by=actor(identity),
            at=now,
            report_id=report.id,
            progress_percent=data.progress_percent,
            progress=data.progress,
            problems=data.problems,
            measures=data.measures,
            lagging=lagging,
        ),
    )
    return report


async def list_reports(
    *, session: AsyncSession, identity: Identity, task_id: str, offset: int, limit: int
) -> tuple[list[ProgressReport], int]:
    task = await get_task(session=session, identity=identity, task_id=task_id)
    query = select(ProgressReport).where(ProgressReport.task_id == task.id)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(
        query.order_by(ProgressReport.reported_at, ProgressReport.id).offset(offset).limit(limit)
    )
    return list(rows), total
