"""Webhook subscription use cases. Keyword-only, never commit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.batch import batch_cache
from luoshi_kit.orgtree import within_subtree
from luoshi_kit.paging import PageParams, fetch_page
from luoshi_kit.permissions import forbidden
from luoshi_kit.scope import require_in_scope
from luoshi_notification.routing.table import FORWARDED
from luoshi_notification.webhooks import ssrf
from luoshi_notification.webhooks.models import Subscription, WebhookAttempt, WebhookDelivery
from luoshi_notification.webhooks.rules import new_secret, receives, unknown_filters
from luoshi_notification.webhooks.schemas import SubscriptionIn, SubscriptionPatch
from luoshi_proto.envelope import CloudEvent

NOT_FOUND = Problem(404, "not-found", "订阅不存在 Subscription not found")
_SUBSCRIPTIONS, _DELIVERED = "webhook_subscriptions", "webhook_delivered"


async def check_endpoint(
    url: str, allowed_hosts: frozenset[str], resolver: ssrf.Resolver = ssrf.resolve
) -> None:
    try:
        await ssrf.check(url, allowed_hosts, resolver)
    except ssrf.UnsafeEndpoint as exc:
        raise Problem(422, "unsafe-endpoint", "接收地址不可用 Endpoint refused", str(exc)) from exc


def check_filters(filters: list[str]) -> None:
    unknown = unknown_filters(filters, FORWARDED)
    if unknown:
        raise Problem(
            422,
            "unknown-event-type",
            "未知的事件类型 Unknown event type",
            f"没有匹配的事件类型: {', '.join(unknown)}",
        )


async def create(
    *, session: AsyncSession, identity: Identity, change: SubscriptionIn, allowed_hosts: frozenset[str]
) -> Subscription:
    require_in_scope(identity, change.scope_org)
    check_filters(change.event_types)
    await check_endpoint(change.url, allowed_hosts)
    sub = Subscription(
        id=str(uuid.uuid4()),
        name=change.name,
        url=change.url,
        scope_org=change.scope_org,
        event_types=sorted(set(change.event_types)),
        secret=new_secret(),
        owner_id=identity.person_id,
        owner_org=identity.org_code,
        active=True,
        consecutive_failures=0,
        created_at=utcnow(),
    )
    session.add(sub)
    await session.flush()
    return sub


ADMIN_ONLY = "只有管理员可以管理事件订阅 Only administrators manage webhook subscriptions"


async def visible(*, session: AsyncSession, identity: Identity, subscription_id: str) -> Subscription:
    """The subscription, for an administrator whose subtree holds its scope: 404 outside (or unknown), then
    403 for any other role (a guessed id tells nobody anything)."""
    sub = await session.get(Subscription, subscription_id)
    if sub is None or not identity.can_see(sub.scope_org):
        raise NOT_FOUND
    if not identity.has_any("admin"):
        raise forbidden(ADMIN_ONLY)
    return sub


async def list_of(
    *, session: AsyncSession, identity: Identity, page: PageParams
) -> tuple[list[Subscription], int, bool]:
    query = select(Subscription).where(within_subtree(Subscription.scope_org, identity.org_code))
    return await fetch_page(session, query.order_by(Subscription.created_at, Subscription.id), page)


async def change(
    *, session: AsyncSession, sub: Subscription, patch: SubscriptionPatch, allowed_hosts: frozenset[str]
) -> Subscription:
    if patch.url is not None:
        await check_endpoint(patch.url, allowed_hosts)
        sub.url = patch.url
    if patch.event_types is not None:
        check_filters(patch.event_types)
        sub.event_types = sorted(set(patch.event_types))
    if patch.name is not None:
        sub.name = patch.name
    if patch.active is not None:
        sub.active = patch.active
        if patch.active:
            sub.consecutive_failures, sub.disabled_reason = 0, None
    await session.flush()
    return sub


def rotate(*, sub: Subscription, overlap_hours: float, now: datetime) -> str:
    """A new secret; the old one keeps signing beside it for ``overlap_hours``."""
    sub.previous_secret = sub.secret if overlap_hours > 0 else None
    sub.previous_secret_until = now + timedelta(hours=overlap_hours) if overlap_hours > 0 else None
    sub.secret = new_secret()
    return sub.secret


async def load_subscriptions(*, session: AsyncSession, events: Sequence[CloudEvent[Any]]) -> None:
    """For a batch: the active subscriptions, and the deliveries its events already have (a redelivered
    event), in one query each."""
    subs = (await session.scalars(select(Subscription).where(Subscription.active.is_(True)))).all()
    batch_cache(session, _SUBSCRIPTIONS)[None] = subs
    delivered: dict[str, set[str]] = batch_cache(session, _DELIVERED)
    delivered.update({e.id: set() for e in events})
    if not subs:
        return
    query = select(WebhookDelivery.event_id, WebhookDelivery.subscription_id).where(
        WebhookDelivery.event_id.in_([e.id for e in events])
    )
    for event_id, subscription_id in (await session.execute(query)).all():
        delivered[event_id].add(subscription_id)


async def enqueue(*, session: AsyncSession, event: CloudEvent[Any]) -> int:
    """A pending delivery for every active subscription that receives ``event`` (once per subscription)."""
    loaded = batch_cache(session, _SUBSCRIPTIONS)
    if None in loaded:
        subs = loaded[None]
    else:
        subs = (await session.scalars(select(Subscription).where(Subscription.active.is_(True)))).all()
    chosen = [s for s in subs if receives(s.scope_org, s.event_types, event)]
    if not chosen:
        return 0
    done = await _delivered(session, event.id, [s.id for s in chosen])
    body, now = event.model_dump_json(), utcnow()
    for sub in chosen:
        if sub.id not in done:
            session.add(
                WebhookDelivery(
                    id=f"msg_{uuid.uuid4().hex}",
                    subscription_id=sub.id,
                    event_id=event.id,
                    event_type=event.type,
                    body=body,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    return len(chosen) - len(done)


async def _delivered(session: AsyncSession, event_id: str, subscription_ids: list[str]) -> set[str]:
    loaded: dict[str, set[str]] = batch_cache(session, _DELIVERED)
    if event_id in loaded:
        return loaded[event_id]
    query = select(WebhookDelivery.subscription_id).where(
        WebhookDelivery.event_id == event_id, WebhookDelivery.subscription_id.in_(subscription_ids)
    )
    return set((await session.scalars(query)).all())


async def deliveries(
    *,
    session: AsyncSession,
    sub: Subscription,
    status: str | None,
    limit: int,
    before: tuple[datetime, str] | None,
) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == sub.id)
    if status:
        query = query.where(WebhookDelivery.status == status)
    if before is not None:
        at, key = before
        query = query.where(
            or_(
                WebhookDelivery.created_at < at,
                and_(WebhookDelivery.created_at == at, WebhookDelivery.id < key),
            )
        )
    order = (WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    return list((await session.scalars(query.order_by(*order).limit(limit))).all())


async def delivery(*, session: AsyncSession, sub: Subscription, delivery_id: str) -> WebhookDelivery:
    item = await session.get(WebhookDelivery, delivery_id)
    if item is None or item.subscription_id != sub.id:
        raise Problem(404, "not-found", "投递记录不存在 Delivery not found")
    return item


async def attempts_of(*, session: AsyncSession, delivery_id: str) -> list[WebhookAttempt]:
    query = (
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id == delivery_id)
        .order_by(WebhookAttempt.number)
    )
    return list((await session.scalars(query)).all())


async def replay(*, session: AsyncSession, sub: Subscription, delivery_id: str | None) -> int:
    """Dead letters (one, or all of the subscription's) go back to the queue with a fresh retry budget."""
    query = update(WebhookDelivery).where(
        WebhookDelivery.subscription_id == sub.id, WebhookDelivery.status == "dead"
    )
    if delivery_id is not None:
        item = await delivery(session=session, sub=sub, delivery_id=delivery_id)
        if item.status != "dead":
            raise Problem(
                409, "not-dead", "只能重放死信 Only dead letters can be replayed", f"状态为 {item.status}"
            )
        query = query.where(WebhookDelivery.id == delivery_id)
    result = await session.execute(
        query.values(status="pending", attempts=0, next_attempt_at=utcnow(), finished_at=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)
