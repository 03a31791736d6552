"""HTTP routes of notices (曝光 / 宣传典型): the office's drafting and approval, and the public portal's
reads of published notices (no sign-in, under /api/v1/public/notices)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from luoshi_kit.db import utcnow
from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_kit.idempotency import IdempotencyKeyDep, idempotent
from luoshi_kit.paging import PageDep, fetch_page
from luoshi_kit.public import PublicCallerDep
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_proto.supervision.v1 import NoticeKind
from luoshi_supervision.notices import service
from luoshi_supervision.notices.rules import NoticeState
from luoshi_supervision.notices.schemas import (
    NoticeIn,
    NoticeOut,
    NoticePage,
    NoticePatch,
    NoticeReturnIn,
    PublicNotice,
    PublicNoticePage,
)

router = APIRouter(prefix="/api/v1/notices", tags=["notices 曝光与宣传典型"])
public_router = APIRouter(prefix="/api/v1/public/notices", tags=["public 公开门户"])
Org = Annotated[str | None, Query(pattern=CODE_PATTERN, description="发布单位范围")]


@router.post("", status_code=201, response_model=NoticeOut, summary="起草通报 Draft a notice")
async def draft_notice(
    body: NoticeIn, request: Request, session: SessionDep, identity: IdentityDep, key: IdempotencyKeyDep
) -> Response:
    async def work() -> NoticeOut:
        notice = await service.draft(session=session, identity=identity, data=body, now=utcnow())
        return NoticeOut.model_validate(notice)

    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=body, status_code=201, work=work
    )


@router.get("", response_model=NoticePage, summary="通报清单 Notices of my subtree (all states)")
async def list_notices(
    session: SessionDep,
    identity: IdentityDep,
    page: PageDep,
    org: Org = None,
    state: NoticeState | None = None,
    kind: NoticeKind | None = None,
) -> NoticePage:
    query = service.list_query(identity=identity, org=org, state=state, kind=kind)
    rows, total, _estimated = await fetch_page(session, query, page)
    return NoticePage.of([NoticeOut.model_validate(n) for n in rows], total, page)


@router.get("/{notice_id}", response_model=NoticeOut, summary="通报详情 A notice")
async def get_notice(notice_id: str, session: SessionDep, identity: IdentityDep) -> NoticeOut:
    return NoticeOut.model_validate(
        await service.get_notice(session=session, identity=identity, notice_id=notice_id)
    )


@router.patch("/{notice_id}", response_model=NoticeOut, summary="修改草稿 Edit a draft (published: 409)")
async def change_notice(
    notice_id: str, body: NoticePatch, session: SessionDep, identity: IdentityDep
) -> NoticeOut:
    async with session.begin():
        notice = await service.change(
            session=session, identity=identity, notice_id=notice_id, data=body, now=utcnow()
        )
    return NoticeOut.model_validate(notice)


@router.delete("/{notice_id}", status_code=204, summary="删除草稿 Delete a draft (published: 409)")
async def delete_notice(notice_id: str, session: SessionDep, identity: IdentityDep) -> Response:
    async with session.begin():
        await service.remove(session=session, identity=identity, notice_id=notice_id)
    return Response(status_code=204)


@router.post("/{notice_id}/submit", response_model=NoticeOut, summary="报审 Submit for approval")
async def submit_notice(notice_id: str, session: SessionDep, identity: IdentityDep) -> NoticeOut:
    async with session.begin():
        notice = await service.move(
            session=session, identity=identity, notice_id=notice_id, action="submit", now=utcnow()
        )
    return NoticeOut.model_validate(notice)


@router.post("/{notice_id}/approve", response_model=NoticeOut, summary="审批并公开 Approve and publish")
async def approve_notice(notice_id: str, session: SessionDep, identity: IdentityDep) -> NoticeOut:
    async with session.begin():
        notice = await service.move(
            session=session, identity=identity, notice_id=notice_id, action="approve", now=utcnow()
        )
    return NoticeOut.model_validate(notice)


@router.post("/{notice_id}/return", response_model=NoticeOut, summary="退回修改 Return to the drafter")
async def return_notice(
    notice_id: str, body: NoticeReturnIn, session: SessionDep, identity: IdentityDep
) -> NoticeOut:
    async with session.begin():
        notice = await service.move(
            session=session,
            identity=identity,
            notice_id=notice_id,
            action="return",
            now=utcnow(),
            reason=body.reason,
        )
    return NoticeOut.model_validate(notice)


@public_router.get("", response_model=PublicNoticePage, summary="公开通报 Published notices (no sign-in)")
async def public_notices(
    session: SessionDep,
    caller: PublicCallerDep,
    page: PageDep,
    kind: NoticeKind | None = None,
    org: Org = None,
) -> PublicNoticePage:
    rows, total, _estimated = await fetch_page(session, service.public_query(kind=kind, org=org), page)
    return PublicNoticePage.of(await service.public_view(session=session, notices=rows), total, page)


@public_router.get("/{notice_id}", response_model=PublicNotice, summary="公开通报详情 A published notice")
async def public_notice(notice_id: str, session: SessionDep, caller: PublicCallerDep) -> PublicNotice:
    return await service.public_notice(session=session, notice_id=notice_id)
