"""The notification service (消息): inboxes, delivery channels, escalation, subscriber webhooks."""

from __future__ import annotations

from fastapi import FastAPI

from luoshi_kit.messaging.bus import Bus
from luoshi_kit.service import ServiceSpec, create_service_app
from luoshi_notification.config import NotificationSettings
from luoshi_notification.db import TABLES
from luoshi_notification.inbox.handlers import HANDLERS as INBOX_HANDLERS
from luoshi_notification.inbox.routes import router as inbox_router
from luoshi_notification.people.handlers import HANDLERS as PEOPLE_HANDLERS

SPEC = ServiceSpec(
    name="notification",
    title="Luoshi 消息服务 (notification)",
    tables=TABLES,
    routers=[inbox_router],
    handlers=PEOPLE_HANDLERS.merge(INBOX_HANDLERS),
)


def create_app(settings: NotificationSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or NotificationSettings(), bus=bus)
