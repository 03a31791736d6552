"""Send records: planned in the transaction of the message, claimed before the send, finished after it.
Keyword-only, never commit (the jobs in sends/jobs.py own the transactions)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.messaging.outbox import add_event
from luoshi_notification.channels.base import Outcome, Outgoing
from luoshi_notification.channels.registry import Channels
from luoshi_notification.inbox.models import Notification
from luoshi_notification.metrics import SENDS
from luoshi_notification.preferences.models import Preference
from luoshi_notification.sends.models import SendAttempt, SendRecord
from luoshi_notification.sends.rules import backoff, not_before, planned_channels
from luoshi_proto.notification.v1 import Channel as ChannelName
from luoshi_proto.notification.v1 import MessageDelivered, MessageFailed, MessageRef

SOURCE = "/luoshi/notification"


def _record(notification_id: str, channel: str, **values: object) -> SendRecord:
    return SendRecord(id=str(uuid.uuid4()), notification_id=notification_id, channel=channel, **values)


async def plan_sends(*, session: AsyncSession, notifications: Sequence[Notification]) -> None:
    """The inbox copy is delivered at once; each channel the person chose gets a pending record, due now or —
    for a message that is not urgent — when the person's quiet hours end."""
    if not notifications:
        return
    await session.flush()  # the messages exist before their send records point at them
    now = utcnow()
    ids = {n.recipient_id for n in notifications}
    prefs = {
        p.person_id: p
        for p in (await session.scalars(select(Preference).where(Preference.person_id.in_(ids))))
    }
    # The inbox copies first, then the pending records: the unit of work sends consecutive rows of the same
    # columns as one executemany, so interleaving the two kinds cost a statement per record.
    session.add_all(
        _record(item.id, "in_app", status="sent", attempts=1, next_attempt_at=now, finished_at=now)
        for item in notifications
    )
    for item in notifications:
        pref = prefs.get(item.recipient_id)
        if pref is None:
            continue
        due = not_before(now, pref.quiet_start, pref.quiet_end, urgent=item.urgent)
        for channel in planned_channels(pref.channels, urgent=item.urgent, digest=pref.digest):
            session.add(_record(item.id, channel, status="pending", next_attempt_at=due))


@dataclass(frozen=True)
class Claimed:
    send_id: str
    channel: str
    message: Outgoing


async def claim_due(
    *, session: AsyncSession, channels: Channels, now: datetime, limit: int = 50
) -> list[Claimed]:
    """Mark due records ``sending`` (the caller commits before sending); records no channel can carry here are
    ``skipped``."""
    query = (
        select(SendRecord)
        .where(SendRecord.status == "pending", SendRecord.next_attempt_at <= now)
        .order_by(SendRecord.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed: list[Claimed] = []
    for record in (await session.scalars(query)).all():
        item = await session.get(Notification, record.notification_id)
        assert item is not None
        pref = await session.get(Preference, item.recipient_id)
        address = channels.address(record.channel, pref, item.org_code)
        if address is None:
            record.status, record.finished_at = "skipped", now
            record.last_error = "渠道未配置或未填写地址 channel not configured or no address"
            SENDS.labels(record.channel, "skipped").inc()
            continue
        record.status, record.claimed_at = "sending", now
        record.attempts += 1
        claimed.append(Claimed(record.id, record.channel, Outgoing(item.id, address, item.title, item.body)))
    return claimed


async def finish(
    *, session: AsyncSession, send_id: str, outcome: Outcome, max_attempts: int, backoff_seconds: float
) -> str:
    """Record the attempt; ``sent``, a later retry, or ``failed`` (announced as events)."""
    record = await session.get(SendRecord, send_id, with_for_update=True)
    assert record is not None
    now = utcnow()
    session.add(
        SendAttempt(
            send_id=record.id,
            number=record.attempts,
            status="sent" if outcome.ok else "failed",
            error=outcome.error,
            at=now,
        )
    )
    record.claimed_at = None
    record.last_error = outcome.error
    if outcome.ok:
        record.status, record.finished_at = "sent", now
        await _announce(session, record, now, delivered=True)
    elif outcome.permanent or record.attempts >= max_attempts:
        record.status, record.finished_at = "failed", now
        await _announce(session, record, now, delivered=False)
    else:
        record.status = "pending"
        record.next_attempt_at = now + backoff(record.attempts, backoff_seconds)
    SENDS.labels(record.channel, record.status).inc()
    return record.status


async def reconcile(*, session: AsyncSession, now: datetime, lease_seconds: float) -> int:
    """Records left ``sending`` past their lease (the process died mid-send) become ``unknown``, never
    resent."""
    query = (
        select(SendRecord)
        .where(SendRecord.status == "sending", SendRecord.claimed_at < now - timedelta(seconds=lease_seconds))
        .with_for_update(skip_locked=True)
    )
    stale = list((await session.scalars(query)).all())
    for record in stale:
        record.status, record.finished_at = "unknown", now
        record.last_error = "发送中断, 结果未知 interrupted mid-send; outcome unknown, not resent"
        session.add(
            SendAttempt(
                send_id=record.id, number=record.attempts, status="unknown", error=record.last_error, at=now
            )
        )
        await _announce(session, record, now, delivered=False)
        SENDS.labels(record.channel, "unknown").inc()
    return len(stale)


async def _announce(session: AsyncSession, record: SendRecord, now: datetime, *, delivered: bool) -> None:
    item = await session.get(Notification, record.notification_id)
    assert item is not None
    ref = MessageRef(
        notification_id=item.id,
        recipient_id=item.recipient_id,
        org_code=item.org_code,
        kind=item.kind,
        source_event_id=item.event_id,
    )
    channel = cast(ChannelName, record.channel)
    data: MessageDelivered | MessageFailed
    if delivered:
        data = MessageDelivered(
            message=ref, at=now, channel=channel, attempts=record.attempts, escalation=record.escalation
        )
    else:
        data = MessageFailed(
            message=ref,
            at=now,
            channel=channel,
            attempts=record.attempts,
            status="unknown" if record.status == "unknown" else "failed",
            error=(record.last_error or "")[:500],
            escalation=record.escalation,
        )
    add_event(session=session, source=SOURCE, data=data, orgcode=item.org_code, subject=item.id)
