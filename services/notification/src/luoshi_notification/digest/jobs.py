"""The daily e-mail digest (每日汇总): after ``LUOSHI_DIGEST_HOUR`` (Asia/Shanghai), everyone who chose it
gets one e-mail listing their unread messages of the last day. A row per person and business day is committed
*before* the send (status ``sending``), so a redelivery, a restart or a second replica never sends a day's
digest twice; a row left ``sending`` past the lease is marked ``unknown``."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luoshi_kit.db import utcnow
from luoshi_kit.timebase import BUSINESS_TZ
from luoshi_notification.channels.base import Outgoing
from luoshi_notification.channels.registry import Channels
from luoshi_notification.config import NotificationSettings
from luoshi_notification.digest.models import Digest
from luoshi_notification.inbox.models import Notification
from luoshi_notification.preferences.models import Preference

log = logging.getLogger(__name__)
MAX_LINES = 50


def compose(titles: list[str], total: int) -> tuple[str, str]:
    title = f"每日汇总: {total} 条未读消息"
    lines = [f"· {t}" for t in titles]
    if total > len(titles):
        lines.append(f"…… 另有 {total - len(titles)} 条, 请登录平台查看")
    return title, "\n".join(lines)


async def digest_round(
    maker: async_sessionmaker[AsyncSession],
    channels: Channels,
    settings: NotificationSettings,
    now: datetime | None = None,
) -> int:
    now = now or utcnow()
    local = now.astimezone(BUSINESS_TZ)
    email = channels.adapters.get("email")
    if email is None or local.hour < settings.digest_hour:
        return 0
    day = local.date()
    jobs: list[tuple[int, Outgoing]] = []
    async with maker() as session, session.begin():
        lease = now - timedelta(seconds=settings.send_lease_seconds)
        stale = (
            await session.scalars(select(Digest).where(Digest.status == "sending", Digest.created_at < lease))
        ).all()
        for row in stale:
            row.status, row.error = "unknown", "发送中断, 结果未知 interrupted; not resent"
        done = select(Digest.person_id).where(Digest.day == day)
        prefs = (
            await session.scalars(
                select(Preference)
                .where(
                    Preference.digest.is_(True),
                    Preference.email.is_not(None),
                    Preference.person_id.not_in(done),
                )
                .limit(200)
            )
        ).all()
        for pref in prefs:
            unread = select(Notification).where(
                Notification.recipient_id == pref.person_id,
                Notification.read_at.is_(None),
                Notification.created_at >= now - timedelta(days=1),
            )
            rows = (
                await session.scalars(unread.order_by(Notification.created_at.desc()).limit(MAX_LINES))
            ).all()
            total = len(rows)
            if total == MAX_LINES:
                total = len((await session.scalars(unread.with_only_columns(Notification.id))).all())
            row = Digest(
                person_id=pref.person_id, day=day, status="sending" if rows else "empty", messages=total
            )
            session.add(row)
            await session.flush()
            if rows:
                title, body = compose([r.title for r in rows], total)
                jobs.append((row.id, Outgoing(f"digest-{row.id}", str(pref.email), title, body)))
    for digest_id, message in jobs:
        outcome = await email.send(message)
        async with maker() as session, session.begin():
            sent = await session.get(Digest, digest_id)
            assert sent is not None
            sent.status, sent.error = ("sent", None) if outcome.ok else ("failed", outcome.error)
    return len(jobs)


async def run_digests(app: FastAPI) -> None:
    settings: NotificationSettings = app.state.settings
    while True:
        await asyncio.sleep(settings.digest_poll_seconds)  # a daily job: no hurry at start-up
        try:
            await digest_round(app.state.sessionmaker, app.state.channels, settings)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("digest round failed; retrying")
