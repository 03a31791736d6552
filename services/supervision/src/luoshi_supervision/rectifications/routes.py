"""HTTP routes of findings (问题) and rectification (整改): thin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_kit.idempotency import IdempotencyKeyDep, idempotent
from luoshi_kit.paging import PageDep
from luoshi_kit.permissions import ProvinceAdmin
from luoshi_kit.timebase import business_today
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_supervision.config import SupervisionSettings
from luoshi_supervision.rectifications import flows, scan, service
from luoshi_supervision.rectifications.models import Rectification, RectificationReport
from luoshi_supervision.rectifications.rules import STATES
from luoshi_supervision.rectifications.schemas import (
    FindingCreate,
    FindingOut,
    FindingPage,
    ListingIn,
    ProgressIn,
    RectificationOrder,
    RectificationOut,
    RectificationPage,
    RejectIn,
    ReportOut,
    VerifyIn,
)

router = APIRouter(tags=["rectification 问题与整改"])
OrgFilter = Annotated[str | None, Query(pattern=CODE_PATTERN, description="责任单位在此单位范围内")]
StateName = Annotated[str, Query(pattern="^(" + "|".join(STATES) + ")$")]


def _settings(request: Request) -> SupervisionSettings:
    settings: SupervisionSettings = request.app.state.settings
    return settings


def _out(item: Rectification) -> RectificationOut:
    out = RectificationOut.model_validate(item)
    today = business_today()
    out.overdue = flows.overdue_now(item, today)
    out.report_overdue = (
        item.state != "verified" and item.next_report_due is not None and item.next_report_due < today
    )
    return out


@router.post(
    "/api/v1/findings",
    status_code=201,
    response_model=FindingOut,
    summary="记录问题 Record a finding (Idempotency-Key accepted)",
)
async def record_finding(
    body: FindingCreate, request: Request, session: SessionDep, identity: IdentityDep, key: IdempotencyKeyDep
) -> Response:
    async def work() -> FindingOut:
        return FindingOut.model_validate(
            await service.record_finding(session=session, identity=identity, data=body)
        )

    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=body, status_code=201, work=work
    )


@router.get("/api/v1/findings", response_model=FindingPage, summary="问题清单 Findings")
async def list_findings(
    session: SessionDep,
    identity: IdentityDep,
    page: PageDep,
    inspection_id: Annotated[str | None, Query(max_length=36)] = None,
    org: OrgFilter = None,
) -> FindingPage:
    rows, total = await service.list_findings(
        session=session, identity=identity, params=page, inspection_id=inspection_id, org=org
    )
    return FindingPage.of([FindingOut.model_validate(r) for r in rows], total, page)


@router.get("/api/v1/findings/{finding_id}", response_model=FindingOut, summary="问题详情 A finding")
async def get_finding(finding_id: str, session: SessionDep, identity: IdentityDep) -> FindingOut:
    return FindingOut.model_validate(
        await service.get_finding(session=session, identity=identity, finding_id=finding_id)
    )


@router.post(
    "/api/v1/findings/{finding_id}/rectification",
    status_code=201,
    response_model=RectificationOut,
    summary="下达整改通知 Order rectification",
)
async def order_rectification(
    finding_id: str, body: RectificationOrder, session: SessionDep, identity: IdentityDep
) -> RectificationOut:
    async with session.begin():
        item = await service.order(
            session=session, identity=identity, finding_id=finding_id, data=body, today=business_today()
        )
        return _out(item)


@router.get(
    "/api/v1/rectifications", response_model=RectificationPage, summary="整改清单 Rectification items"
)
async def list_rectifications(
    session: SessionDep,
    identity: IdentityDep,
    page: PageDep,
    state: StateName | None = None,
    listed: Annotated[bool | None, Query(description="挂牌督办")] = None,
    overdue: Annotated[bool | None, Query(description="逾期未整改")] = None,
    org: OrgFilter = None,
) -> RectificationPage:
    rows, total = await service.list_items(
        session=session,
        identity=identity,
        params=page,
        today=business_today(),
        state=state,
        listed=listed,
        overdue=overdue,
        org=org,
    )
    return RectificationPage.of([_out(r) for r in rows], total, page)


@router.post("/api/v1/rectification-scans", summary="立即检查逾期整改 Run the overdue scan now")
async def run_scan(request: Request, identity: ProvinceAdmin) -> dict[str, int]:
    raised = await scan.scan(
        request.app.state.sessionmaker, today=business_today(), settings=_settings(request)
    )
    return {"raised": raised}


@router.get("/api/v1/rectifications/{rectification_id}", response_model=RectificationOut, summary="整改事项")
async def get_rectification(
    rectification_id: str, session: SessionDep, identity: IdentityDep
) -> RectificationOut:
    return _out(await service.get_item(session=session, identity=identity, rectification_id=rectification_id))


@router.get(
    "/api/v1/rectifications/{rectification_id}/reports",
    response_model=list[ReportOut],
    summary="整改情况报告",
)
async def list_reports(rectification_id: str, session: SessionDep, identity: IdentityDep) -> list[ReportOut]:
    item = await service.get_item(session=session, identity=identity, rectification_id=rectification_id)
    query = select(RectificationReport).where(RectificationReport.rectification_id == item.id)
    rows = await session.scalars(query.order_by(RectificationReport.reported_at, RectificationReport.id))
    return [ReportOut.model_validate(r) for r in rows]


@router.post(
    "/api/v1/rectifications/{rectification_id}/reports",
    status_code=201,
    response_model=ReportOut,
    summary="报告整改进展 Report progress",
)
async def report_progress(
    rectification_id: str, body: ProgressIn, session: SessionDep, identity: IdentityDep
) -> ReportOut:
    async with session.begin():
        _item, report = await flows.report_progress(
            session=session,
            identity=identity,
            rectification_id=rectification_id,
            data=body,
            today=business_today(),
        )
        return ReportOut.model_validate(report)


@router.post(
    "/api/v1/rectifications/{rectification_id}/verify", response_model=RectificationOut, summary="核查销号"
)
async def verify(
    rectification_id: str, body: VerifyIn, session: SessionDep, identity: IdentityDep
) -> RectificationOut:
    async with session.begin():
        item = await flows.verify(
            session=session, identity=identity, rectification_id=rectification_id, comment=body.comment
        )
        return _out(item)


@router.post(
    "/api/v1/rectifications/{rectification_id}/reject",
    response_model=RectificationOut,
    summary="整改不到位驳回",
)
async def reject(
    rectification_id: str, body: RejectIn, request: Request, session: SessionDep, identity: IdentityDep
) -> RectificationOut:
    async with session.begin():
        item = await flows.reject(
            session=session,
            identity=identity,
            rectification_id=rectification_id,
            data=body,
            today=business_today(),
            settings=_settings(request),
        )
        return _out(item)


@router.post(
    "/api/v1/rectifications/{rectification_id}/listing",
    response_model=RectificationOut,
    summary="挂牌督办 / 摘牌",
)
async def change_listing(
    rectification_id: str, body: ListingIn, session: SessionDep, identity: IdentityDep
) -> RectificationOut:
    async with session.begin():
        item = await flows.change_listing(
            session=session, identity=identity, rectification_id=rectification_id, data=body
        )
        return _out(item)
