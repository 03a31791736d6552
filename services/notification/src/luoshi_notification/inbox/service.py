"""Inbox use cases. Keyword-only, never commit."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.errors import Problem
from luoshi_notification.inbox.models import Notification


def deliver(
    *,
    session: AsyncSession,
    recipient_ids: list[str],
    kind: str,
    title: str,
    body: str,
    subject: str | None,
    org_code: str,
    event_id: str,
) -> None:
    for recipient in recipient_ids:
        session.add(
            Notification(
                id=str(uuid.uuid4()),
                recipient_id=recipient,
                kind=kind,
                title=title,
                body=body,
                subject=subject,
                org_code=org_code,
                event_id=event_id,
            )
        )


async def inbox_of(
    *,
    session: AsyncSession,
    person_id: str,
    limit: int,
    unread_only: bool,
    before: tuple[datetime, str] | None = None,
) -> tuple[list[Notification], int]:
    """Newest first, ``limit`` of them, older than ``before`` (a (created_at, id) keyset cursor) if given."""
    query = select(Notification).where(Notification.recipient_id == person_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if before is not None:
        at, key = before
        query = query.where(
            or_(Notification.created_at < at, and_(Notification.created_at == at, Notification.id < key))
        )
    order = (Notification.created_at.desc(), Notification.id.desc())
    rows = (await session.scalars(query.order_by(*order).limit(limit))).all()
    unread = await session.scalar(
        select(func.count()).where(Notification.recipient_id == person_id, Notification.read_at.is_(None))
    )
    return list(rows), int(unread or 0)


async def mark_read(*, session: AsyncSession, person_id: str, notification_id: str) -> Notification:
    item = await session.get(Notification, notification_id)
    if item is None or item.recipient_id != person_id:
        raise Problem(404, "not-found", "消息不存在 Notification not found")
    item.read_at = item.read_at or utcnow()
    return item
