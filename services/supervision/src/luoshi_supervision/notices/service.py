"""Notices (曝光 / 宣传典型): draft, edit, submit, approve (publish) or return; the portal's reads.

Keyword-only, never commit. By-id calls load the notice first (404 when it does not exist or lies outside
the caller's subtree), then check who acts (403), then the state (409)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.errors import Problem, not_found
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_kit.orgtree import within_subtree
from luoshi_kit.permissions import forbidden
from luoshi_kit.scope import require_in_scope
from luoshi_proto.supervision.v1 import NoticeKind, NoticePublished, NoticeRef
from luoshi_proto.tasking.v1 import Actor
from luoshi_supervision.notices import rules
from luoshi_supervision.notices.models import Notice
from luoshi_supervision.notices.rules import NoticeState
from luoshi_supervision.notices.schemas import NoticeIn, NoticeItem, NoticePatch, PublicNotice

SOURCE = "supervision"


def _published_only() -> Problem:
    return Problem(
        409,
        "notice-published",
        "通报已公开, 不可修改 A published notice is immutable",
        "已公开的通报不能修改或删除; 如需更正, 请起草一份更正通报 (corrects) Publish a correction instead",
    )


def _check_items(identity: Identity, items: list[NoticeItem]) -> list[dict[str, object]]:
    require_in_scope(identity, *[i.org_code for i in items])
    return [i.model_dump(mode="json", exclude_none=True) for i in items]


async def draft(*, session: AsyncSession, identity: Identity, data: NoticeIn, now: datetime) -> Notice:
    if not identity.has_any(*rules.DRAFTING_ROLES):
        raise forbidden(rules.DRAFT_DENIED)
    items = _check_items(identity, data.items)
    if data.corrects is not None:
        old = await session.get(Notice, data.corrects)
        if old is None or not identity.can_see(old.issuing_org):
            raise not_found("被更正的通报 Corrected notice")
        if old.state != "published" or old.issuing_org != identity.org_code:
            raise Problem(
                422,
                "correction-of-unpublished",
                "只能更正本级已公开的通报 Only a published notice of this office can be corrected",
                f"通报 {old.id} 状态为 {old.state}",
            )
    notice = Notice(
        id=str(uuid.uuid4()),
        kind=data.kind,
        title=data.title,
        body=data.body,
        items=items,
        issuing_org=identity.org_code,
        corrects=data.corrects,
        state="draft",
        drafted_by=identity.person_id,
        created_at=now,
        updated_at=now,
    )
    session.add(notice)
    await session.flush()
    return notice


async def get_notice(
    *, session: AsyncSession, identity: Identity, notice_id: str, for_update: bool = False
) -> Notice:
    query = select(Notice).where(Notice.id == notice_id)
    if for_update:
        query = query.with_for_update()
    notice = (await session.scalars(query)).one_or_none()
    if notice is None or not identity.can_see(notice.issuing_org):
        raise not_found("通报 Notice")
    if not rules.may_read(identity):
        raise forbidden(rules.READ_DENIED)
    return notice


async def _for_drafter(*, session: AsyncSession, identity: Identity, notice_id: str) -> Notice:
    notice = await get_notice(session=session, identity=identity, notice_id=notice_id, for_update=True)
    if not rules.may_draft(identity, notice.issuing_org):
        raise forbidden(rules.DRAFT_DENIED)
    if notice.state == "published":
        raise _published_only()
    return notice


async def change(
    *, session: AsyncSession, identity: Identity, notice_id: str, data: NoticePatch, now: datetime
) -> Notice:
    notice = await _for_drafter(session=session, identity=identity, notice_id=notice_id)
    if not rules.editable(notice.state):
        raise Problem(
            409, "notice-not-draft", "通报待审批, 不可修改 Submitted: not editable", "请先退回再修改"
        )
    if data.title is not None:
        notice.title = data.title
    if data.body is not None:
        notice.body = data.body
    if data.items is not None:
        notice.items = _check_items(identity, data.items)
    notice.updated_at = now
    await session.flush()
    return notice


async def remove(*, session: AsyncSession, identity: Identity, notice_id: str) -> None:
    notice = await _for_drafter(session=session, identity=identity, notice_id=notice_id)
    await session.execute(delete(Notice).where(Notice.id == notice.id))


async def move(
    *,
    session: AsyncSession,
    identity: Identity,
    notice_id: str,
    action: str,
    now: datetime,
    reason: str | None = None,
) -> Notice:
    """submit (the office), approve → published, or return → draft (the principal)."""
    notice = await get_notice(session=session, identity=identity, notice_id=notice_id, for_update=True)
    allowed = (
        rules.may_draft(identity, notice.issuing_org)
        if action == "submit"
        else rules.may_approve(identity, notice.issuing_org)
    )
    if not allowed:
        raise forbidden(rules.DRAFT_DENIED if action == "submit" else rules.APPROVE_DENIED)
    if notice.state == "published":
        raise _published_only()
    to_state = rules.next_state(notice.state, action)
    if to_state is None:
        raise Problem(
            409, "notice-state", "通报状态不允许此操作 Not possible now", f"状态 {notice.state} 不能 {action}"
        )
    notice.state, notice.updated_at = to_state, now
    if action == "return":
        notice.return_reason = reason
    if action == "submit":
        notice.return_reason = None
    if to_state == "published":
        notice.approved_by, notice.published_at = identity.person_id, now
        add_event(
            session=session,
            source=SOURCE,
            orgcode=notice.issuing_org,
            subject=notice.id,
            data=NoticePublished(
                notice=NoticeRef(
                    notice_id=notice.id,
                    kind=notice.kind,
                    title=notice.title,
                    issuing_org=notice.issuing_org,
                    org_codes=sorted({str(i["org_code"]) for i in notice.items}),
                    corrects=notice.corrects,
                ),
                by=Actor(person_id=identity.person_id, org_code=identity.org_code),
                at=now,
            ),
        )
    await session.flush()
    return notice


def list_query(
    *, identity: Identity, org: str | None, state: NoticeState | None, kind: NoticeKind | None
) -> Select[Notice]:
    if not rules.may_read(identity):
        raise forbidden(rules.READ_DENIED)
    require_in_scope(identity, org)
    query = select(Notice).where(within_subtree(Notice.issuing_org, org or identity.org_code))
    if state:
        query = query.where(Notice.state == state)
    if kind:
        query = query.where(Notice.kind == kind)
    return query.order_by(Notice.updated_at.desc(), Notice.id)


def public_query(*, kind: NoticeKind | None, org: str | None) -> Select[Notice]:
    query = select(Notice).where(Notice.state == "published")
    if kind:
        query = query.where(Notice.kind == kind)
    if org:
        query = query.where(within_subtree(Notice.issuing_org, org))
    return query.order_by(Notice.published_at.desc(), Notice.id)


async def public_view(*, session: AsyncSession, notices: list[Notice]) -> list[PublicNotice]:
    ids = [n.id for n in notices]
    corrections: dict[str, list[str]] = {}
    if ids:
        rows = await session.execute(
            select(Notice.corrects, Notice.id).where(Notice.corrects.in_(ids), Notice.state == "published")
        )
        for old, new in rows.all():
            corrections.setdefault(str(old), []).append(new)
    return [
        PublicNotice(
            id=n.id,
            kind=n.kind,
            title=n.title,
            body=n.body,
            items=[NoticeItem.model_validate(i) for i in n.items],
            issuing_org=n.issuing_org,
            corrects=n.corrects,
            corrected_by=sorted(corrections.get(n.id, [])),
            published_at=n.published_at or n.updated_at,
        )
        for n in notices
    ]


async def public_notice(*, session: AsyncSession, notice_id: str) -> PublicNotice:
    notice = await session.get(Notice, notice_id)
    if notice is None or notice.state != "published":
        raise not_found("通报 Notice")
    return (await public_view(session=session, notices=[notice]))[0]
