"""The notification service (消息): inboxes, delivery channels, escalation, subscriber webhooks."""

from __future__ import annotations

from fastapi import FastAPI

from luoshi_kit.messaging.bus import Bus
from luoshi_kit.service import ServiceSpec, create_service_app
from luoshi_notification.channels.registry import build_channels
from luoshi_notification.config import NotificationSettings
from luoshi_notification.db import TABLES
from luoshi_notification.digest.jobs import run_digests
from luoshi_notification.inbox.routes import router as inbox_router
from luoshi_notification.people.handlers import HANDLERS as PEOPLE_HANDLERS
from luoshi_notification.preferences.routes import router as preferences_router
from luoshi_notification.routing.handlers import HANDLERS as ROUTING_HANDLERS
from luoshi_notification.sends.jobs import run_escalations, run_sends
from luoshi_notification.webhooks.jobs import run_webhooks
from luoshi_notification.webhooks.routes import router as webhooks_router

SPEC = ServiceSpec(
    name="notification",
    title="Luoshi 消息服务 (notification)",
    tables=TABLES,
    routers=[inbox_router, preferences_router, webhooks_router],
    handlers=PEOPLE_HANDLERS.merge(ROUTING_HANDLERS),
    background=[run_sends, run_escalations, run_webhooks, run_digests],
)


def create_app(settings: NotificationSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    settings = settings or NotificationSettings()
    app = create_service_app(SPEC, settings, bus=bus)
    app.state.channels = build_channels(settings)
    return app
