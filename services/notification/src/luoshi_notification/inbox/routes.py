from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_kit.paging import DEFAULT_LIMIT, MAX_LIMIT, CursorQuery, decode_cursor, encode_cursor
from luoshi_notification.inbox import service
from luoshi_notification.inbox.schemas import (
    MarkedRead,
    NotificationOut,
    NotificationPage,
    SendOut,
    UnreadCount,
)
from luoshi_notification.inbox.stream import events_of

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications 消息"])
KindQuery = Annotated[
    list[str] | None,
    Query(max_length=20, description="消息类别, 如 task.overdue 或 task.* Kinds, e.g. task.*"),
]


@router.get("", response_model=NotificationPage, summary="我的消息 My inbox")
async def my_inbox(
    session: SessionDep,
    identity: IdentityDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    unread: bool = False,
    before: CursorQuery = None,
    kind: KindQuery = None,
    since: Annotated[datetime | None, Query(description="不早于 created at or after")] = None,
    until: Annotated[datetime | None, Query(description="早于 created before")] = None,
) -> NotificationPage:
    rows = await service.inbox_of(
        session=session,
        person_id=identity.person_id,
        limit=limit,
        unread_only=unread,
        before=decode_cursor(before) if before else None,
        kinds=kind,
        since=since,
        until=until,
    )
    unread_count = await service.unread_count(session=session, person_id=identity.person_id)
    last = rows[-1] if len(rows) == limit else None
    return NotificationPage(
        items=[NotificationOut.model_validate(r) for r in rows],
        limit=limit,
        next_cursor=encode_cursor(last.created_at, last.id) if last else None,
        unread=unread_count,
    )


@router.get("/unread-count", response_model=UnreadCount, summary="未读数 Unread count (cheap enough to poll)")
async def my_unread_count(session: SessionDep, identity: IdentityDep) -> UnreadCount:
    return UnreadCount(unread=await service.unread_count(session=session, person_id=identity.person_id))


@router.get(
    "/stream",
    summary="实时消息流 Live inbox (server-sent events)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def my_stream(request: Request, identity: IdentityDep) -> StreamingResponse:
    """``event: unread`` with the count first, then ``event: notification`` per new message (``id`` is its
    cursor: a reconnect with ``Last-Event-ID`` resumes after it), and a comment line as heartbeat."""
    last = request.headers.get("last-event-id")
    stream = events_of(request, identity.person_id, last)
    return StreamingResponse(
        stream,
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )


@router.post("/read-all", response_model=MarkedRead, summary="全部标记已读 Mark all read")
async def mark_all_read(session: SessionDep, identity: IdentityDep, kind: KindQuery = None) -> MarkedRead:
    async with session.begin():
        marked = await service.mark_all_read(session=session, person_id=identity.person_id, kinds=kind)
    return MarkedRead(marked=marked)


@router.get(
    "/{notification_id}/sends",
    response_model=list[SendOut],
    summary="发送情况 How a message went out, per channel",
)
async def message_sends(notification_id: str, session: SessionDep, identity: IdentityDep) -> list[SendOut]:
    rows = await service.sends_of(
        session=session, person_id=identity.person_id, notification_id=notification_id
    )
    return [SendOut.model_validate(r) for r in rows]


@router.post("/{notification_id}/read", response_model=NotificationOut, summary="标记已读 Mark as read")
async def mark_read(notification_id: str, session: SessionDep, identity: IdentityDep) -> NotificationOut:
    async with session.begin():
        item = await service.mark_read(
            session=session, person_id=identity.person_id, notification_id=notification_id
        )
    return NotificationOut.model_validate(item)
