"""Routes of progress reports (落实反馈) on a task."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_kit.idempotency import IdempotencyKeyDep, idempotent
from luoshi_kit.paging import PageDep
from luoshi_tasking.reports import service
from luoshi_tasking.reports.schemas import ReportCreate, ReportList, ReportOut

router = APIRouter(prefix="/api/v1/tasks/{task_id}/reports", tags=["reports 落实反馈"])


@router.post("", status_code=201, response_model=ReportOut, summary="落实反馈 Report progress")
async def submit_report(
    task_id: str,
    body: ReportCreate,
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
    key: IdempotencyKeyDep,
) -> Response:
    async def work() -> ReportOut:
        report = await service.submit_report(session=session, identity=identity, task_id=task_id, data=body)
        return ReportOut.model_validate(report)

    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=body, status_code=201, work=work
    )


@router.get("", response_model=ReportList, summary="反馈记录 A task's reports, oldest first")
async def list_reports(
    task_id: str,
    session: SessionDep,
    identity: IdentityDep,
    page: PageDep,
) -> ReportList:
    rows, total = await service.list_reports(
        session=session, identity=identity, task_id=task_id, offset=page.offset, limit=page.limit
    )
    return ReportList.of([ReportOut.model_validate(r) for r in rows], total, page)
