"""Shared pieces of notification's integration tests (real PostgreSQL and RabbitMQ, local fake channels).

- ``settings(postgres_url, amqp_url, **overrides)`` — fast polling, test secret;
- ``add_people(app, *people)`` — the person replica (in production gateway.person.upserted fills it);
- ``publish(app, event_type, data, orgcode)`` — an event onto the service's own bus, as a producer would;
- ``eventually(check)`` — poll until ``check()`` is truthy;
- ``smtp`` — a local aiosmtpd server collecting mails; ``sms_gateway`` — a local 政务短信平台 fake that checks
  the app key and signature and can be told to fail.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, TypeVar

import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import func, select

from luoshi_kit.messaging.bus import OutgoingMessage
from luoshi_kit.testing import TEST_SECRET, free_port
from luoshi_notification.config import NotificationSettings
from luoshi_notification.people.models import Person
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.registry import routing_key

T = TypeVar("T")
APP_KEY, APP_SECRET = "luoshi-test", "s3cret-sms"


def settings(postgres_url: str, amqp_url: str, **overrides: Any) -> NotificationSettings:
    values: dict[str, Any] = {
        "database_url": postgres_url,
        "amqp_url": amqp_url,
        "internal_secret": TEST_SECRET,
        "send_poll_seconds": 0.2,
        "send_backoff_seconds": 0.1,
        "escalation_poll_seconds": 3600,
        "digest_poll_seconds": 3600,
        "webhook_poll_seconds": 0.2,
    }
    return NotificationSettings(**(values | overrides))


async def add_people(app: FastAPI, *people: tuple[str, str, list[str]]) -> None:
    async with app.state.sessionmaker() as session, session.begin():
        for person_id, org_code, roles in people:
            session.add(
                Person(id=person_id, display_name=person_id, org_code=org_code, roles=roles, active=True)
            )


async def publish(
    app: FastAPI,
    event_type: str,
    data: BaseModel,
    orgcode: str,
    *,
    subject: str = "s-1",
    event_id: str | None = None,
) -> CloudEvent[BaseModel]:
    model: Any = CloudEvent[type(data)]  # type: ignore[misc]
    event = model(source="/luoshi/test", type=event_type, orgcode=orgcode, subject=subject, data=data)
    if event_id:
        event.id = event_id
    message = OutgoingMessage(
        event.id, event_type, routing_key(event_type, orgcode), event.model_dump_json().encode()
    )
    await consuming(app)
    errors = await app.state.bus.publish([message])
    assert errors == [None], errors
    return event


async def consuming(app: FastAPI) -> None:
    """The service declares the whole topology, then consumes: publish only once it does (before that an
    event may meet another service's binding and miss this one's)."""
    for _ in range(200):
        if app.state.bus._tasks:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the service never started consuming")


async def eventually(check: Callable[[], Awaitable[T]], seconds: float = 15.0) -> T:
    deadline = time.monotonic() + seconds
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            assert result, "condition not met in time"
            return result
        await asyncio.sleep(0.1)


async def count(app: FastAPI, model: Any, *where: Any) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


@dataclass
class Mailbox:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        self.messages.append(mail)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@dataclass
class SmsGateway:
    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    fail_with: int | None = None


@pytest.fixture
async def sms_gateway() -> AsyncIterator[SmsGateway]:
    port = free_port()
    gateway = SmsGateway(url=f"http://127.0.0.1:{port}/sms/send")

    async def send(request: web.Request) -> web.Response:
        gateway.attempts += 1
        body = await request.read()
        h = request.headers
        signed = f"{h['x-app-key']}\n{h['x-timestamp']}\n{h['x-nonce']}\n".encode() + body
        expected = hmac.new(APP_SECRET.encode(), signed, hashlib.sha256).hexdigest()
        if h["x-app-key"] != APP_KEY or not hmac.compare_digest(expected, h["x-signature"]):
            return web.json_response({"code": "401", "message": "签名错误"}, status=401)
        if gateway.fail_with:
            return web.json_response({"code": "500", "message": "忙"}, status=gateway.fail_with)
        gateway.received.append(json.loads(body))
        return web.json_response({"code": "0", "msgId": f"m{len(gateway.received)}"})

    server = web.Application()
    server.router.add_post("/sms/send", send)
    runner = web.AppRunner(server)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield gateway
    finally:
        await runner.cleanup()


def channel_settings(smtp: Mailbox, sms: SmsGateway) -> dict[str, Any]:
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
        "sms_url": sms.url,
        "sms_app_key": APP_KEY,
        "sms_app_secret": APP_SECRET,
    }


@dataclass
class Receiver:
    """A subscriber's endpoint: verifies every delivery with the ``standardwebhooks`` package."""

    url: str
    secrets: list[str] = field(default_factory=list)
    verified: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    failures_left: int = 0
    redirect_to: str | None = None
    hits: int = 0
    delay: float = 0.0
    in_flight: int = 0
    most_in_flight: int = 0

    def verify(self, body: bytes, headers: dict[str, str]) -> dict[str, Any] | None:
        from standardwebhooks import Webhook

        for secret in self.secrets:
            try:
                parsed: dict[str, Any] = Webhook(secret).verify(body, headers)
                return parsed
            except Exception:
                continue
        return None


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    port = free_port()
    endpoint = Receiver(url=f"http://127.0.0.1:{port}/hooks/luoshi")

    async def hook(request: web.Request) -> web.Response:
        endpoint.hits += 1
        endpoint.in_flight += 1
        endpoint.most_in_flight = max(endpoint.most_in_flight, endpoint.in_flight)
        try:
            await asyncio.sleep(endpoint.delay)
        finally:
            endpoint.in_flight -= 1
        body = await request.read()
        if endpoint.redirect_to:
            raise web.HTTPFound(endpoint.redirect_to)
        if endpoint.failures_left > 0:
            endpoint.failures_left -= 1
            return web.Response(status=500, text="busy")
        headers = dict(request.headers)
        parsed = endpoint.verify(body, headers)
        if parsed is None:
            return web.Response(status=401, text="bad signature")
        endpoint.headers.append(headers)
        endpoint.verified.append(parsed)
        return web.Response(status=204)

    server = web.Application()
    server.router.add_post("/hooks/luoshi", hook)
    runner = web.AppRunner(server)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield endpoint
    finally:
        await runner.cleanup()
