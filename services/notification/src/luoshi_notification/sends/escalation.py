"""The urgent re-send (未读提级): an urgent message left unread for the configured working hours is sent once
more on the next channel. Computed from data (``escalated_at`` marks it done), so a restart loses nothing and
never sends it twice."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_notification.channels.registry import Channels
from luoshi_notification.config import NotificationSettings
from luoshi_notification.inbox.models import Notification
from luoshi_notification.preferences.models import Preference
from luoshi_notification.sends.models import SendRecord
from luoshi_notification.sends.rules import add_working_hours, is_workday, next_channel


def _reaches(channels: Channels, pref: Preference | None, org_code: str) -> Callable[[str], bool]:
    return lambda channel: channels.address(channel, pref, org_code) is not None


async def escalate_due(
    *,
    session: AsyncSession,
    channels: Channels,
    settings: NotificationSettings,
    now: datetime,
    limit: int = 200,
) -> int:
    hours = settings.urgent_resend_working_hours
    # Working hours never pass faster than wall-clock hours: older than ``hours`` is a necessary condition.
    query = (
        select(Notification)
        .where(
            Notification.urgent.is_(True),
            Notification.escalated_at.is_(None),
            Notification.read_at.is_(None),
            Notification.created_at <= now - timedelta(hours=hours),
        )
        .order_by(Notification.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    planned = 0
    for item in (await session.scalars(query)).all():
        due = add_working_hours(
            item.created_at, hours, is_workday, settings.workday_start_hour, settings.workday_end_hour
        )
        if due > now:
            continue
        used = list(
            (
                await session.scalars(select(SendRecord.channel).where(SendRecord.notification_id == item.id))
            ).all()
        )
        pref = await session.get(Preference, item.recipient_id)
        channel = next_channel(used, _reaches(channels, pref, item.org_code))
        item.escalated_at = now
        if channel is None:
            continue
        session.add(
            SendRecord(
                id=str(uuid.uuid4()),
                notification_id=item.id,
                channel=channel,
                status="pending",
                next_attempt_at=now,
                escalation=True,
            )
        )
        planned += 1
    return planned
