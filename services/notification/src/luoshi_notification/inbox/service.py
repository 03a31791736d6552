"""Inbox use cases. Keyword-only, never commit."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.errors import Problem
from luoshi_notification.inbox.models import Notification
from luoshi_notification.sends.models import SendRecord


async def delivered_to(*, session: AsyncSession, event_id: str, recipient_ids: Iterable[str]) -> set[str]:
    """Who already has an inbox message for ``event_id`` (a redelivered event): one query for all."""
    rows = await session.scalars(
        select(Notification.recipient_id).where(
            Notification.event_id == event_id, Notification.recipient_id.in_(list(recipient_ids))
        )
    )
    return set(rows.all())


def new_message(
    *,
    session: AsyncSession,
    recipient_id: str,
    kind: str,
    title: str,
    body: str,
    subject: str | None,
    org_code: str,
    event_id: str,
    urgent: bool = False,
) -> Notification:
    """One inbox message, added to the session (check ``delivered_to`` first)."""
    item = Notification(
        id=str(uuid.uuid4()),
        recipient_id=recipient_id,
        kind=kind,
        title=title,
        body=body,
        subject=subject,
        org_code=org_code,
        event_id=event_id,
        urgent=urgent,
        created_at=utcnow(),
    )
    # A concurrent copy of the same event meets the unique constraint: its transaction fails, the broker
    # redelivers it, and the kit's inbox then finds it handled.
    session.add(item)
    return item


async def inbox_of(
    *,
    session: AsyncSession,
    person_id: str,
    limit: int,
    unread_only: bool,
    before: tuple[datetime, str] | None = None,
    kinds: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Notification]:
    """Newest first, ``limit`` of them, older than ``before`` (a (created_at, id) keyset cursor) if given; a
    kind ending in ``.*`` (``task.*``) takes every kind it starts."""
    query = select(Notification).where(Notification.recipient_id == person_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if kinds:
        exact = [k for k in kinds if not k.endswith(".*")]
        families = [k[:-1] for k in kinds if k.endswith(".*")]
        query = query.where(
            or_(
                Notification.kind.in_(exact),
                *(Notification.kind.startswith(f, autoescape=True) for f in families),
            )
        )
    if since is not None:
        query = query.where(Notification.created_at >= since)
    if until is not None:
        query = query.where(Notification.created_at < until)
    if before is not None:
        at, key = before
        query = query.where(
            or_(Notification.created_at < at, and_(Notification.created_at == at, Notification.id < key))
        )
    order = (Notification.created_at.desc(), Notification.id.desc())
    return list((await session.scalars(query.order_by(*order).limit(limit))).all())


async def unread_count(*, session: AsyncSession, person_id: str) -> int:
    """An index-only count (ix_notification_recipient_read)."""
    count = await session.scalar(
        select(func.count()).where(Notification.recipient_id == person_id, Notification.read_at.is_(None))
    )
    return int(count or 0)


async def newer_than(
    *, session: AsyncSession, person_id: str, after: tuple[datetime, str] | None, limit: int = 100
) -> list[Notification]:
    """Oldest first: what the live stream has not sent yet."""
    query = select(Notification).where(Notification.recipient_id == person_id)
    if after is not None:
        at, key = after
        query = query.where(
            or_(Notification.created_at > at, and_(Notification.created_at == at, Notification.id > key))
        )
    order = (Notification.created_at.asc(), Notification.id.asc())
    return list((await session.scalars(query.order_by(*order).limit(limit))).all())


async def newest(*, session: AsyncSession, person_id: str) -> Notification | None:
    query = select(Notification).where(Notification.recipient_id == person_id)
    return await session.scalar(
        query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(1)
    )


async def mark_read(*, session: AsyncSession, person_id: str, notification_id: str) -> Notification:
    item = await session.get(Notification, notification_id)
    if item is None or item.recipient_id != person_id:
        raise Problem(404, "not-found", "消息不存在 Notification not found")
    item.read_at = item.read_at or utcnow()
    return item


async def mark_all_read(*, session: AsyncSession, person_id: str, kinds: list[str] | None = None) -> int:
    query = update(Notification).where(Notification.recipient_id == person_id, Notification.read_at.is_(None))
    if kinds:
        query = query.where(Notification.kind.in_(kinds))
    result = await session.execute(query.values(read_at=utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


async def sends_of(*, session: AsyncSession, person_id: str, notification_id: str) -> list[SendRecord]:
    """How one of the person's messages went out, channel by channel (404 for anyone else's)."""
    item = await session.get(Notification, notification_id)
    if item is None or item.recipient_id != person_id:
        raise Problem(404, "not-found", "消息不存在 Notification not found")
    query = select(SendRecord).where(SendRecord.notification_id == item.id).order_by(SendRecord.created_at)
    return list((await session.scalars(query)).all())
