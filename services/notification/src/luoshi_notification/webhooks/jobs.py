"""The webhook worker: due deliveries are claimed (committed ``sending`` first), posted, and finished — a
retry with exponential backoff and jitter, or the dead-letter list after the last one. All from data
(``next_attempt_at``), never in-memory timers: a restart or a second replica loses and repeats nothing but a
post interrupted mid-flight, which is retried (receivers deduplicate by ``webhook-id``)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luoshi_kit.db import utcnow
from luoshi_notification.config import NotificationSettings
from luoshi_notification.inbox.service import new_message
from luoshi_notification.metrics import WEBHOOK_ATTEMPTS, WEBHOOK_DEAD, WEBHOOK_FAILURES, WEBHOOK_LATENCY
from luoshi_notification.sends.service import plan_sends
from luoshi_notification.webhooks import sender, ssrf
from luoshi_notification.webhooks.models import Subscription, WebhookAttempt, WebhookDelivery
from luoshi_notification.webhooks.rules import retry_delay, signing_secrets

log = logging.getLogger(__name__)
ROUND = 50
"""deliveries claimed at most per round"""


@dataclass(frozen=True)
class Job:
    delivery_id: str
    subscription_id: str
    url: str
    body: str
    keys: list[str]


async def claim(
    *, session: AsyncSession, now: datetime, lease_seconds: float, limit: int = ROUND
) -> list[Job]:
    # A post interrupted mid-flight (the process died) goes back to the queue.
    # (Looked up first: an UPDATE that matches nothing would still take SQLite's write lock every round.)
    stale = select(WebhookDelivery.id).where(
        WebhookDelivery.status == "sending",
        WebhookDelivery.claimed_at < now - timedelta(seconds=lease_seconds),
    )
    stale_ids = list((await session.scalars(stale)).all())
    if stale_ids:
        await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(stale_ids), WebhookDelivery.status == "sending")
            .values(status="pending", next_attempt_at=now)
        )
    query = (
        select(WebhookDelivery, Subscription)
        .join(Subscription, Subscription.id == WebhookDelivery.subscription_id)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            Subscription.active.is_(True),
        )
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    )
    jobs = []
    for item, sub in (await session.execute(query)).all():
        item.status, item.claimed_at = "sending", now
        item.attempts += 1
        keys = signing_secrets(sub.secret, sub.previous_secret, sub.previous_secret_until, now)
        jobs.append(Job(item.id, sub.id, sub.url, item.body, keys))
    return jobs


async def finish(
    *, session: AsyncSession, job: Job, result: sender.Result, settings: NotificationSettings
) -> str:
    item = await session.get(WebhookDelivery, job.delivery_id, with_for_update=True)
    sub = await session.get(Subscription, job.subscription_id, with_for_update=True)
    assert item is not None and sub is not None
    now = utcnow()
    session.add(
        WebhookAttempt(
            delivery_id=item.id,
            number=item.attempts,
            at=now,
            status_code=result.status_code,
            error=result.error,
            seconds=round(result.seconds, 4),
        )
    )
    WEBHOOK_ATTEMPTS.labels(sub.id, "ok" if result.ok else "failed").inc()
    WEBHOOK_LATENCY.labels(sub.id).observe(result.seconds)
    item.claimed_at, item.last_status, item.last_error = None, result.status_code, result.error
    if result.ok:
        item.status, item.finished_at = "delivered", now
        sub.consecutive_failures = 0
        return item.status
    WEBHOOK_FAILURES.labels(sub.id, result.reason).inc()
    sub.consecutive_failures += 1
    delay = retry_delay(item.attempts, settings.retry_schedule(), settings.webhook_jitter)
    if delay is None:
        item.status, item.finished_at = "dead", now
        WEBHOOK_DEAD.labels(sub.id).inc()
    else:
        item.status, item.next_attempt_at = "pending", now + timedelta(seconds=delay)
    if sub.active and sub.consecutive_failures >= settings.webhook_disable_after:
        await disable(session=session, sub=sub, why=result.error or "")
    return item.status


async def disable(*, session: AsyncSession, sub: Subscription, why: str) -> None:
    """A subscription that keeps failing stops, and its owner hears of it in the inbox."""
    sub.active = False
    sub.disabled_reason = f"连续 {sub.consecutive_failures} 次投递失败, 已自动停用: {why}"[:1000]
    item = new_message(  # a fresh event id: nobody has it yet
        session=session,
        recipient_id=sub.owner_id,
        kind="subscription.disabled",
        title=f"事件订阅已停用: {sub.name}"[:300],
        body=f"{sub.disabled_reason}\n接收地址 {sub.url}. 修复后可在订阅设置中重新启用, 并重放死信."[:2000],
        subject=sub.id,
        org_code=sub.owner_org,
        event_id=f"subscription-disabled-{uuid.uuid4().hex}",
        urgent=False,
    )
    await plan_sends(session=session, notifications=[item])


async def webhook_round(
    maker: async_sessionmaker[AsyncSession],
    settings: NotificationSettings,
    resolver: ssrf.Resolver = ssrf.resolve,
) -> int:
    async with maker() as session, session.begin():
        jobs = await claim(session=session, now=utcnow(), lease_seconds=settings.webhook_lease_seconds)

    # A round claims up to 50; posting them all at once would open 50 connections to one receiver (a
    # small server's listen backlog drops the excess, which then times out) and queue 50 transactions
    # on the pool. A bounded number at a time keep each post's latency that of the receiver; a dead
    # receiver's timeouts still end the round well within the lease.
    in_flight = asyncio.Semaphore(max(1, settings.webhook_concurrency))

    async def one(job: Job) -> None:
        async with in_flight:
            await post_and_finish(maker, settings, job, resolver)

    await asyncio.gather(*(one(job) for job in jobs))
    return len(jobs)


async def post_and_finish(
    maker: async_sessionmaker[AsyncSession], settings: NotificationSettings, job: Job, resolver: ssrf.Resolver
) -> None:
    result = await sender.post(
        url=job.url,
        body=job.body,
        msg_id=job.delivery_id,
        keys=job.keys,
        allowed_hosts=settings.allowed_hosts(),
        seconds=settings.webhook_timeout_seconds,
        resolver=resolver,
    )
    async with maker() as session, session.begin():
        status = await finish(session=session, job=job, result=result, settings=settings)
    if not result.ok:  # an operator reads why in the log too, not only in the delivery log
        log.warning(
            "webhook delivery %s to %s failed (%s): %s; now %s",
            job.delivery_id,
            job.url,
            result.reason,
            result.error or result.status_code,
            status,
        )


async def run_webhooks(app: FastAPI) -> None:
    settings: NotificationSettings = app.state.settings
    while True:
        claimed = 0
        try:
            claimed = await webhook_round(app.state.sessionmaker, settings)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("webhook round failed; retrying")
        if claimed < ROUND:  # a full round leaves more due: the next one starts at once
            await asyncio.sleep(settings.webhook_poll_seconds)
