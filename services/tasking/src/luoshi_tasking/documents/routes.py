"""HTTP routes of important documents (学习解读): thin, the rules live in rules.py and service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_kit.idempotency import IdempotencyKeyDep, idempotent
from luoshi_kit.paging import PageDep
from luoshi_kit.permissions import Authenticated, ProvinceAdmin
from luoshi_kit.timebase import business_today
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_tasking.documents import service
from luoshi_tasking.documents.schemas import (
    DocumentCreate,
    DocumentDetail,
    DocumentOut,
    DocumentPage,
    ReportCreate,
    ReportOut,
    RulesIn,
    RulesOut,
    SessionCreate,
    SessionOut,
)

router = APIRouter(prefix="/api/v1/documents", tags=["documents 重要文件学习解读"])


@router.get(
    "/rules",
    response_model=RulesOut,
    summary="学习解读期限 Study and report deadlines",
    dependencies=[Authenticated],
)
async def get_rules(session: SessionDep) -> RulesOut:
    return await service.get_rules(session=session)


@router.put("/rules", response_model=RulesOut, summary="修改学习解读期限 Change the deadlines (admin)")
async def put_rules(body: RulesIn, session: SessionDep, identity: ProvinceAdmin) -> RulesOut:
    async with session.begin():
        return await service.update_rules(session=session, identity=identity, data=body)


@router.post("", status_code=201, response_model=DocumentOut, summary="登记重要文件 Register a document")
async def register_document(
    body: DocumentCreate, request: Request, session: SessionDep, identity: IdentityDep, key: IdempotencyKeyDep
) -> Response:
    today = business_today()

    async def work() -> DocumentOut:
        doc = await service.register_document(session=session, identity=identity, data=body, today=today)
        cal = await service.load_work_calendar(session)
        settings = await service.load_rules(session)
        return service.document_out(doc, cal=cal, settings=settings, today=today)

    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=body, status_code=201, work=work
    )


@router.get("", response_model=DocumentPage, summary="重要文件清单 Documents in my subtree")
async def list_documents(
    session: SessionDep,
    identity: IdentityDep,
    page: PageDep,
    org: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
) -> DocumentPage:
    today = business_today()
    rows, total = await service.list_documents(
        session=session, identity=identity, offset=page.offset, limit=page.limit, org=org
    )
    cal = await service.load_work_calendar(session)
    settings = await service.load_rules(session)
    items = [service.document_out(d, cal=cal, settings=settings, today=today) for d in rows]
    return DocumentPage.of(items, total, page)


@router.get("/{document_id}", response_model=DocumentDetail, summary="文件及其学习解读 A document")
async def get_document(document_id: str, session: SessionDep, identity: IdentityDep) -> DocumentDetail:
    doc = await service.get_document(session=session, identity=identity, document_id=document_id)
    sessions, reports = await service.sessions_and_reports(session=session, document_id=doc.id)
    cal = await service.load_work_calendar(session)
    settings = await service.load_rules(session)
    out = service.document_out(doc, cal=cal, settings=settings, today=business_today())
    return DocumentDetail(
        **out.model_dump(),
        sessions=[SessionOut.model_validate(s) for s in sessions],
        reports=[ReportOut.model_validate(r) for r in reports],
    )


@router.post(
    "/{document_id}/sessions",
    status_code=201,
    response_model=SessionOut,
    summary="登记学习解读会 Record a study session",
)
async def record_session(
    document_id: str,
    body: SessionCreate,
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
    key: IdempotencyKeyDep,
) -> Response:
    async def work() -> SessionOut:
        row = await service.record_session(
            session=session, identity=identity, document_id=document_id, data=body, today=business_today()
        )
        return SessionOut.model_validate(row)

    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=body, status_code=201, work=work
    )


@router.post(
    "/{document_id}/reports",
    status_code=201,
    response_model=ReportOut,
    summary="报告学习解读情况 Record the report to the government",
)
async def record_report(
    document_id: str,
    body: ReportCreate,
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
    key: IdempotencyKeyDep,
) -> Response:
    async def work() -> ReportOut:
        row = await service.record_report(
            session=session, identity=identity, document_id=document_id, data=body, today=business_today()
        )
        return ReportOut.model_validate(row)

    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=body, status_code=201, work=work
    )
