from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_kit.paging import DEFAULT_LIMIT, MAX_LIMIT, CursorQuery, decode_cursor, encode_cursor
from luoshi_notification.inbox import service
from luoshi_notification.inbox.schemas import NotificationOut, NotificationPage

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications 消息"])


@router.get("", response_model=NotificationPage, summary="我的消息 My inbox")
async def my_inbox(
    session: SessionDep,
    identity: IdentityDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    unread: bool = False,
    before: CursorQuery = None,
) -> NotificationPage:
    rows, unread_count = await service.inbox_of(
        session=session,
        person_id=identity.person_id,
        limit=limit,
        unread_only=unread,
        before=decode_cursor(before) if before else None,
    )
    last = rows[-1] if len(rows) == limit else None
    return NotificationPage(
        items=[NotificationOut.model_validate(r) for r in rows],
        limit=limit,
        next_cursor=encode_cursor(last.created_at, last.id) if last else None,
        unread=unread_count,
    )


@router.post("/{notification_id}/read", response_model=NotificationOut, summary="标记已读 Mark as read")
async def mark_read(notification_id: str, session: SessionDep, identity: IdentityDep) -> NotificationOut:
    async with session.begin():
        item = await service.mark_read(
            session=session, person_id=identity.person_id, notification_id=notification_id
        )
    return NotificationOut.model_validate(item)
