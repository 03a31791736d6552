"""Import and export use cases. Keyword-only, never commit: the route owns the one transaction."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_tasking.orgs.models import Org
from luoshi_tasking.spreadsheets.columns import ledger_row
from luoshi_tasking.spreadsheets.xlsx import ParsedSheet, WorkbookRefused, parse_task_workbook, write_ledger
from luoshi_tasking.tasks.models import Task
from luoshi_tasking.tasks.service import create_task, list_tasks

MAX_ROWS = 5000
EXPORT_PAGE = 1000

# Which column a create_task refusal points at, by its problem slug.
_SLUG_FIELDS = {"deadline-in-past": "deadline", "lead-unit-is-co-unit": "co_units"}


def _service_error(sheet: ParsedSheet, row: int, task_lead: str, problem: Problem) -> None:
    message = problem.detail or problem.title
    units = problem.extra.get("units")
    if isinstance(units, list) and units:
        if task_lead in units:
            sheet.error(row, "lead_unit", message)
        if any(u != task_lead for u in units):
            sheet.error(row, "co_units", message)
        return
    sheet.error(row, _SLUG_FIELDS.get(problem.slug), message)


def refuse(exc: WorkbookRefused) -> Problem:
    return Problem(exc.status, exc.slug, exc.title, exc.detail)


async def import_tasks(*, session: AsyncSession, identity: Identity, data: bytes) -> list[Task]:
    """Every row through ``create_task``, each in a savepoint so one refusal does not hide the next;
    any error raises 422 listing them all, and the caller's transaction rolls back: all or nothing."""
    try:
        # Off the event loop: the service (and in embedded mode every service) keeps answering.
        sheet = await asyncio.to_thread(parse_task_workbook, data, max_rows=MAX_ROWS)
    except WorkbookRefused as exc:
        raise refuse(exc) from exc
    created: list[Task] = []
    for parsed in sheet.rows:
        try:
            async with session.begin_nested():
                created.append(await create_task(session=session, identity=identity, data=parsed.task))
        except Problem as problem:
            _service_error(sheet, parsed.row, parsed.task.lead_unit, problem)
    if sheet.errors:
        errors = sorted(sheet.errors, key=lambda e: (e.row, len(e.column), e.column))
        raise Problem(
            422,
            "import-invalid",
            "导入文件有误, 未导入任何任务 Import refused",
            f"共 {len(errors)} 处错误; 请修改后重新导入 (整份文件均未导入)",
            errors=[e.as_dict() for e in errors],
        )
    return created


async def export_ledger(*, session: AsyncSession, identity: Identity, org: str, today: date) -> bytes:
    org_row = await session.get(Org, org)
    if org_row is None or not identity.can_see(org):
        raise Problem(404, "not-found", "单位不存在或不可见 Organisation not found")
    tasks: list[Row[Any]] = []
    while True:
        page, total, _lower_bound = await list_tasks(
            session=session, identity=identity, offset=len(tasks), limit=EXPORT_PAGE, org=org, sort="deadline"
        )
        tasks += page
        if not page or len(tasks) >= total:
            break
    codes = {t.lead_unit for t in tasks} | {c for t in tasks for c in t.co_units or []}
    rows = (await session.execute(select(Org.code, Org.name).where(Org.code.in_(codes)))).all()
    names = {code: name for code, name in rows}
    title = f"{org_row.name}({org}) 重点工作任务台账  导出日期 {today.isoformat()}  共 {len(tasks)} 项"
    return write_ledger((ledger_row(i, t, names) for i, t in enumerate(tasks, start=1)), title=title)
