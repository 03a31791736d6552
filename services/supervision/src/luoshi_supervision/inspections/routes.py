"""HTTP routes of inspections (督查): thin, the rules live in planning / service / evidence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_kit.idempotency import IdempotencyKeyDep, idempotent
from luoshi_kit.identity import Identity
from luoshi_kit.paging import PageDep
from luoshi_kit.permissions import require_roles
from luoshi_kit.text import MultilineText, PlainText
from luoshi_kit.timebase import business_today
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_supervision.config import SupervisionSettings
from luoshi_supervision.inspections import evidence, planning, plans, service
from luoshi_supervision.inspections.queries import get_visible
from luoshi_supervision.inspections.rules import KINDS, ORGANISING_ROLES, STATES
from luoshi_supervision.inspections.schemas import (
    CancelIn,
    ConductIn,
    EvidenceOut,
    InspectionCreate,
    InspectionOut,
    InspectionPage,
    PlanCreate,
    PlanOut,
    ReportIn,
    TraceOut,
)

router = APIRouter(tags=["inspections 督查"])
Organiser = Annotated[
    Identity,
    Depends(
        require_roles(
            *ORGANISING_ROLES, detail="只有督查室和主要、分管负责同志可以安排督查 office or leaders only"
        )
    ),
]
StateName = Annotated[str, Query(pattern="^(" + "|".join(STATES) + ")$")]
KindName = Annotated[str, Query(pattern="^(" + "|".join(KINDS) + ")$")]
OrgFilter = Annotated[str | None, Query(pattern=CODE_PATTERN, description="被督查单位在此单位范围内")]


def _settings(request: Request) -> SupervisionSettings:
    settings: SupervisionSettings = request.app.state.settings
    return settings


@router.post(
    "/api/v1/inspections",
    status_code=201,
    response_model=InspectionOut,
    summary="安排督查 Schedule an inspection (Idempotency-Key accepted)",
)
async def create_inspection(
    body: InspectionCreate, request: Request, session: SessionDep, identity: Organiser, key: IdempotencyKeyDep
) -> Response:
    async def work() -> InspectionOut:
        loaded, merged = await planning.create_inspection(
            session=session, identity=identity, data=body, today=business_today(), settings=_settings(request)
        )
        return service.inspection_out(loaded, merged=merged)

    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=body, status_code=201, work=work
    )


@router.get("/api/v1/inspections", response_model=InspectionPage, summary="督查清单 Inspections I may see")
async def list_inspections(
    session: SessionDep,
    identity: IdentityDep,
    page: PageDep,
    state: StateName | None = None,
    kind: KindName | None = None,
    org: OrgFilter = None,
    plan_id: Annotated[str | None, Query(max_length=36)] = None,
) -> InspectionPage:
    rows, total = await service.list_inspections(
        session=session,
        identity=identity,
        offset=page.offset,
        limit=page.limit,
        state=state,
        kind=kind,
        org=org,
        plan_id=plan_id,
    )
    return InspectionPage.of([service.inspection_out(r) for r in rows], total, page)


@router.get(
    "/api/v1/inspections/export",
    summary="导出督查台账 Export inspections (CSV)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "督查台账 CSV (UTF-8)"}},
)
async def export_inspections(session: SessionDep, identity: IdentityDep, org: OrgFilter = None) -> Response:
    text = await service.export_csv(session=session, identity=identity, org=org)
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="inspections.csv"'},
    )


@router.get(
    "/api/v1/inspections/{inspection_id}", response_model=InspectionOut, summary="督查详情 An inspection"
)
async def get_inspection(inspection_id: str, session: SessionDep, identity: IdentityDep) -> InspectionOut:
    return service.inspection_out(
        await get_visible(session=session, identity=identity, inspection_id=inspection_id)
    )


@router.get(
    "/api/v1/inspections/{inspection_id}/trace", response_model=list[TraceOut], summary="督查留痕 Trace"
)
async def inspection_trace(inspection_id: str, session: SessionDep, identity: IdentityDep) -> list[TraceOut]:
    rows = await service.trace_of(session=session, identity=identity, inspection_id=inspection_id)
    return [TraceOut.model_validate(r) for r in rows]


@router.post(
    "/api/v1/inspections/{inspection_id}/conduct", response_model=InspectionOut, summary="实施督查 Conduct"
)
async def conduct(
    inspection_id: str, body: ConductIn, session: SessionDep, identity: IdentityDep
) -> InspectionOut:
    async with session.begin():
        loaded = await service.conduct(
            session=session,
            identity=identity,
            inspection_id=inspection_id,
            conducted_on=body.conducted_on,
            summary=body.summary,
            today=business_today(),
        )
        return service.inspection_out(loaded)


@router.post(
    "/api/v1/inspections/{inspection_id}/report", response_model=InspectionOut, summary="督查报告 Report"
)
async def report(
    inspection_id: str, body: ReportIn, session: SessionDep, identity: IdentityDep
) -> InspectionOut:
    async with session.begin():
        loaded = await service.report(
            session=session, identity=identity, inspection_id=inspection_id, text=body.report
        )
        return service.inspection_out(loaded)


@router.post(
    "/api/v1/inspections/{inspection_id}/cancel", response_model=InspectionOut, summary="撤销督查 Cancel"
)
async def cancel(
    inspection_id: str, body: CancelIn, session: SessionDep, identity: IdentityDep
) -> InspectionOut:
    async with session.begin():
        loaded = await service.cancel(
            session=session, identity=identity, inspection_id=inspection_id, reason=body.reason
        )
        return service.inspection_out(loaded)


@router.get(
    "/api/v1/inspections/{inspection_id}/evidence", response_model=list[EvidenceOut], summary="督查证据"
)
async def list_evidence(inspection_id: str, session: SessionDep, identity: IdentityDep) -> list[EvidenceOut]:
    rows = await evidence.list_evidence(session=session, identity=identity, inspection_id=inspection_id)
    return [EvidenceOut.model_validate(r) for r in rows]


@router.post(
    evidence.EVIDENCE_PATH, status_code=201, response_model=EvidenceOut, summary="提交督查证据 Add evidence"
)
async def add_evidence(
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
    inspection_id: Annotated[PlainText, Form(min_length=1, max_length=36)],
    note: Annotated[MultilineText, Form(max_length=5000)] = "",
    is_report: Annotated[bool, Form(description="第三方评估报告")] = False,
    file: Annotated[UploadFile | None, File(description="pdf / jpg / png / docx / xlsx / txt")] = None,
) -> EvidenceOut:
    limit = _settings(request).evidence_max_bytes
    content = await file.read(limit + 1) if file is not None else None
    async with session.begin():
        row = await evidence.add_evidence(
            session=session,
            identity=identity,
            inspection_id=inspection_id,
            note=note.strip(),
            filename=file.filename if file else None,
            content_type=file.content_type if file else None,
            content=content,
            is_report=is_report,
            max_bytes=limit,
        )
        return EvidenceOut.model_validate(row)


@router.get(evidence.EVIDENCE_PATH + "/{evidence_id}", summary="下载证据文件 Download an evidence file")
async def download_evidence(evidence_id: str, session: SessionDep, identity: IdentityDep) -> Response:
    row = await evidence.evidence_file(session=session, identity=identity, evidence_id=evidence_id)
    return Response(
        row.content or b"",
        media_type=row.content_type or "text/plain",
        headers={"Content-Disposition": "attachment", "X-Content-SHA256": row.sha256 or ""},
    )


@router.post("/api/v1/inspection-plans", status_code=201, response_model=PlanOut, summary="制定年度督查计划")
async def create_plan(body: PlanCreate, session: SessionDep, identity: Organiser) -> PlanOut:
    async with session.begin():
        return PlanOut.model_validate(await plans.create_plan(session=session, identity=identity, data=body))


@router.get("/api/v1/inspection-plans", response_model=list[PlanOut], summary="年度督查计划 Plans")
async def list_plans(
    session: SessionDep,
    identity: IdentityDep,
    org: OrgFilter = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> list[PlanOut]:
    rows = await plans.list_plans(session=session, identity=identity, org=org, year=year)
    return [PlanOut.model_validate(r) for r in rows]


@router.get("/api/v1/inspection-plans/{plan_id}", response_model=PlanOut, summary="年度督查计划及其督查")
async def get_plan(plan_id: str, session: SessionDep, identity: IdentityDep) -> PlanOut:
    plan = await plans.get_plan(session=session, identity=identity, plan_id=plan_id)
    rows, _ = await service.list_inspections(
        session=session, identity=identity, offset=0, limit=200, plan_id=plan.id
    )
    out = PlanOut.model_validate(plan)
    out.inspections = [service.inspection_out(r) for r in rows]
    return out
