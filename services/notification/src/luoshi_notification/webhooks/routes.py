"""Webhook subscriptions (事件订阅) of other platforms: an administrator registers, rotates, reads the
delivery log and replays dead letters, within their own subtree."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from luoshi_kit.db import utcnow
from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_kit.identity import Identity
from luoshi_kit.paging import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    CursorQuery,
    Page,
    PageDep,
    decode_cursor,
    encode_cursor,
)
from luoshi_kit.permissions import require_roles
from luoshi_notification.config import NotificationSettings
from luoshi_notification.webhooks import service
from luoshi_notification.webhooks.schemas import (
    AttemptOut,
    DeliveryDetail,
    DeliveryOut,
    DeliveryPage,
    Replayed,
    SecretRotated,
    SecretRotation,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPatch,
)

# Registering and listing: administrators only. A route on one subscription takes any signed-in caller and
# lets service.visible decide (404 outside the subtree or unknown, then 403 for a role other than admin).
Admin = Annotated[Identity, Depends(require_roles("admin", detail=service.ADMIN_ONLY))]
router = APIRouter(prefix="/api/v1/subscriptions", tags=["subscriptions 事件订阅"])


def _settings(request: Request) -> NotificationSettings:
    settings: NotificationSettings = request.app.state.settings
    return settings


@router.post(
    "", status_code=201, response_model=SubscriptionCreated, summary="登记事件订阅 Register a webhook"
)
async def register(
    body: SubscriptionIn, request: Request, session: SessionDep, identity: Admin
) -> SubscriptionCreated:
    async with session.begin():
        sub = await service.create(
            session=session, identity=identity, change=body, allowed_hosts=_settings(request).allowed_hosts()
        )
        return SubscriptionCreated.model_validate(sub, from_attributes=True).model_copy(
            update={"secret": sub.secret}
        )


@router.get(
    "", response_model=Page[SubscriptionOut], summary="事件订阅列表 Webhook subscriptions in my subtree"
)
async def list_subscriptions(session: SessionDep, identity: Admin, page: PageDep) -> Page[SubscriptionOut]:
    rows, total, estimated = await service.list_of(session=session, identity=identity, page=page)
    items = [SubscriptionOut.model_validate(r) for r in rows]
    return Page[SubscriptionOut].of(items, total, page, estimated=estimated)


@router.get("/{subscription_id}", response_model=SubscriptionOut, summary="事件订阅 A webhook subscription")
async def get_subscription(
    subscription_id: str, session: SessionDep, identity: IdentityDep
) -> SubscriptionOut:
    sub = await service.visible(session=session, identity=identity, subscription_id=subscription_id)
    return SubscriptionOut.model_validate(sub)


@router.patch(
    "/{subscription_id}", response_model=SubscriptionOut, summary="修改 / 启停事件订阅 Change a webhook"
)
async def change_subscription(
    subscription_id: str,
    body: SubscriptionPatch,
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
) -> SubscriptionOut:
    async with session.begin():
        sub = await service.visible(session=session, identity=identity, subscription_id=subscription_id)
        sub = await service.change(
            session=session, sub=sub, patch=body, allowed_hosts=_settings(request).allowed_hosts()
        )
        return SubscriptionOut.model_validate(sub)


@router.post(
    "/{subscription_id}/secret", response_model=SecretRotated, summary="轮换签名密钥 Rotate the secret"
)
async def rotate_secret(
    subscription_id: str, body: SecretRotation, request: Request, session: SessionDep, identity: IdentityDep
) -> SecretRotated:
    overlap = (
        body.overlap_hours
        if body.overlap_hours is not None
        else _settings(request).webhook_secret_overlap_hours
    )
    async with session.begin():
        sub = await service.visible(session=session, identity=identity, subscription_id=subscription_id)
        secret = service.rotate(sub=sub, overlap_hours=overlap, now=utcnow())
        return SecretRotated(secret=secret, previous_valid_until=sub.previous_secret_until)


@router.get("/{subscription_id}/deliveries", response_model=DeliveryPage, summary="投递记录 Delivery log")
async def delivery_log(
    subscription_id: str,
    session: SessionDep,
    identity: IdentityDep,
    status: Annotated[
        str | None, Query(pattern="^(pending|sending|delivered|dead)$", description="dead: 死信")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    before: CursorQuery = None,
) -> DeliveryPage:
    sub = await service.visible(session=session, identity=identity, subscription_id=subscription_id)
    rows = await service.deliveries(
        session=session, sub=sub, status=status, limit=limit, before=decode_cursor(before) if before else None
    )
    last = rows[-1] if len(rows) == limit else None
    return DeliveryPage(
        items=[DeliveryOut.model_validate(r) for r in rows],
        limit=limit,
        next_cursor=encode_cursor(last.created_at, last.id) if last else None,
    )


@router.get(
    "/{subscription_id}/deliveries/{delivery_id}",
    response_model=DeliveryDetail,
    summary="一次投递及其尝试 A delivery",
)
async def delivery_detail(
    subscription_id: str, delivery_id: str, session: SessionDep, identity: IdentityDep
) -> DeliveryDetail:
    sub = await service.visible(session=session, identity=identity, subscription_id=subscription_id)
    item = await service.delivery(session=session, sub=sub, delivery_id=delivery_id)
    attempts = await service.attempts_of(session=session, delivery_id=item.id)
    out = DeliveryOut.model_validate(item).model_dump()
    return DeliveryDetail(**out, body=item.body, attempt_log=[AttemptOut.model_validate(a) for a in attempts])


@router.post(
    "/{subscription_id}/deliveries/{delivery_id}/replay",
    response_model=Replayed,
    summary="重放死信 Replay a dead letter",
)
async def replay_one(
    subscription_id: str, delivery_id: str, session: SessionDep, identity: IdentityDep
) -> Replayed:
    async with session.begin():
        sub = await service.visible(session=session, identity=identity, subscription_id=subscription_id)
        return Replayed(replayed=await service.replay(session=session, sub=sub, delivery_id=delivery_id))


@router.post(
    "/{subscription_id}/replay", response_model=Replayed, summary="重放全部死信 Replay every dead letter"
)
async def replay_all(subscription_id: str, session: SessionDep, identity: IdentityDep) -> Replayed:
    async with session.begin():
        sub = await service.visible(session=session, identity=identity, subscription_id=subscription_id)
        return Replayed(replayed=await service.replay(session=session, sub=sub, delivery_id=None))
