"""E-mail through a local SMTP server, SMS through a local fake gateway (and its failure → retry → failed),
preferences and quiet hours, one send per (message, channel) however often the event comes, and a crash
mid-send reconciled to ``unknown`` (never resent)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import select

from luoshi_kit.identity import Identity
from luoshi_kit.testing import identity_headers, running_service
from luoshi_notification.inbox.models import Notification
from luoshi_notification.main import create_app
from luoshi_notification.sends.jobs import send_round
from luoshi_notification.sends.models import SendAttempt, SendRecord
from luoshi_proto.tasking.v1 import Actor, TaskAssigned, TaskDeadlineAlert, TaskRef

from .conftest import Mailbox, SmsGateway, add_people, channel_settings, count, eventually, publish, settings

LEAD, ISSUER = "520102001000", "520102000000"
TASK = TaskRef(
    task_id="T-1", title="推进垃圾分类", issuing_org=ISSUER, lead_unit=LEAD, deadline=date(2027, 6, 30)
)
ASSIGNED = TaskAssigned(task=TASK, by=Actor(person_id="p-office", org_code=ISSUER), at=datetime.now(UTC))
OVERDUE = TaskDeadlineAlert(
    task=TASK,
    occurrence="2027-06-30",
    colour="red",
    due=date(2027, 6, 30),
    working_days_left=-1,
    progress_percent=10,
    expected_percent=100,
)
HANDLER = Identity(person_id="p-h", username="h", display_name="承办人", org_code=LEAD, roles=["handler"])


async def choose(client, identity: Identity, **prefs) -> None:
    response = await client.put(
        "/api/v1/notification-preferences/me", json=prefs, headers=identity_headers(identity)
    )
    assert response.status_code == 200, response.text


async def sent(app, channel: str) -> list[SendRecord]:
    async with app.state.sessionmaker() as session:
        rows = await session.scalars(select(SendRecord).where(SendRecord.channel == channel))
        return list(rows.all())


async def test_email_and_sms_go_out_once_however_often_the_event_comes(
    postgres_url: str, vhost_amqp_url: str, smtp: Mailbox, sms_gateway: SmsGateway
) -> None:
    config = settings(postgres_url, vhost_amqp_url, **channel_settings(smtp, sms_gateway))
    async with running_service(create_app, config) as (app, client):
        await add_people(app, ("p-h", LEAD, ["handler"]), ("p-other", LEAD, ["principal"]))
        await choose(
            client, HANDLER, channels=["email", "sms"], email="h@example.gov.cn", mobile="13800000001"
        )
        got = await client.get("/api/v1/notification-preferences/me", headers=identity_headers(HANDLER))
        assert got.json()["available"] == ["email", "in_app", "sms"] and got.json()["channels"] == [
            "email",
            "sms",
        ]

        event = await publish(app, "tasking.task.assigned.v1", ASSIGNED, LEAD)
        for _ in range(2):  # the same event redelivered: nothing twice
            await publish(app, "tasking.task.assigned.v1", ASSIGNED, LEAD, event_id=event.id)
        await eventually(lambda: _done(app, 2))
        assert await count(app, Notification) == 1  # the principal does not hear an assignment
        assert len(smtp.messages) == 1 and len(sms_gateway.received) == 1
        mail = smtp.messages[0]
        assert mail["To"] == "h@example.gov.cn" and "推进垃圾分类" in str(mail["Subject"])
        assert sms_gateway.received[0]["mobile"] == "13800000001"
        assert "推进垃圾分类" in sms_gateway.received[0]["content"]
        assert {r.status for r in await sent(app, "in_app")} == {"sent"}

        # A redelivery long after the sends (the kit's inbox forgot nothing): still one of each.
        await publish(app, "tasking.task.assigned.v1", ASSIGNED, LEAD, event_id=event.id)
        await send_round(app.state.sessionmaker, app.state.channels, config)
        assert len(smtp.messages) == 1 and len(sms_gateway.received) == 1
        outbox = await _outbox_types(app)
        assert outbox.count("notification.message.delivered.v1") == 2
        (message,) = (await client.get("/api/v1/notifications", headers=identity_headers(HANDLER))).json()[
            "items"
        ]
        url = f"/api/v1/notifications/{message['id']}/sends"
        sends = (await client.get(url, headers=identity_headers(HANDLER))).json()
        assert sorted((s["channel"], s["status"], s["attempts"]) for s in sends) == [
            ("email", "sent", 1),
            ("in_app", "sent", 1),
            ("sms", "sent", 1),
        ]
        someone = HANDLER.model_copy(update={"person_id": "p-other"})
        assert (await client.get(url, headers=identity_headers(someone))).status_code == 404


async def test_sms_failure_is_retried_with_backoff_then_failed(
    postgres_url: str, vhost_amqp_url: str, smtp: Mailbox, sms_gateway: SmsGateway
) -> None:
    sms_gateway.fail_with = 503
    config = settings(
        postgres_url, vhost_amqp_url, send_max_attempts=3, **channel_settings(smtp, sms_gateway)
    )
    async with running_service(create_app, config) as (app, client):
        await add_people(app, ("p-h", LEAD, ["handler"]))
        await choose(client, HANDLER, channels=["sms"], mobile="13800000001")
        await publish(app, "tasking.task.assigned.v1", ASSIGNED, LEAD)

        async def failed() -> bool:
            return [r.status for r in await sent(app, "sms")] == ["failed"]

        await eventually(failed)
        assert sms_gateway.attempts == 3 and not sms_gateway.received
        (record,) = await sent(app, "sms")
        assert record.attempts == 3 and "503" in (record.last_error or "")
        assert await count(app, SendAttempt, SendAttempt.send_id == record.id) == 3
        assert (await _outbox_types(app)).count("notification.message.failed.v1") == 1


async def test_quiet_hours_hold_ordinary_messages_but_not_urgent_ones(
    postgres_url: str, vhost_amqp_url: str, smtp: Mailbox, sms_gateway: SmsGateway
) -> None:
    config = settings(postgres_url, vhost_amqp_url, **channel_settings(smtp, sms_gateway))
    now = datetime.now(UTC) + timedelta(hours=8)  # Shanghai wall clock
    start, end = (now - timedelta(hours=1)).time(), (now + timedelta(hours=1)).time()
    async with running_service(create_app, config) as (app, client):
        await add_people(app, ("p-h", LEAD, ["handler"]))
        await choose(
            client,
            HANDLER,
            channels=["email"],
            email="h@example.gov.cn",
            quiet_start=start.strftime("%H:%M"),
            quiet_end=end.strftime("%H:%M"),
        )
        await publish(app, "tasking.task.assigned.v1", ASSIGNED, LEAD)
        await publish(app, "tasking.task.overdue.v1", OVERDUE, LEAD)
        await eventually(lambda: _mails(smtp, 1))
        assert "任务超期" in str(smtp.messages[0]["Subject"])  # urgent: straight through quiet hours
        (held,) = [r for r in await sent(app, "email") if r.status == "pending"]
        assert held.next_attempt_at > datetime.now(UTC) + timedelta(minutes=30)
        await send_round(app.state.sessionmaker, app.state.channels, config)
        assert len(smtp.messages) == 1


async def test_a_send_interrupted_by_a_crash_is_marked_unknown_and_never_resent(
    postgres_url: str, vhost_amqp_url: str, smtp: Mailbox, sms_gateway: SmsGateway
) -> None:
    config = settings(
        postgres_url,
        vhost_amqp_url,
        send_poll_seconds=3600,
        send_lease_seconds=60,
        **channel_settings(smtp, sms_gateway),
    )
    async with running_service(create_app, config) as (app, client):
        await add_people(app, ("p-h", LEAD, ["handler"]))
        await choose(client, HANDLER, channels=["sms"], mobile="13800000001")
        await publish(app, "tasking.task.assigned.v1", ASSIGNED, LEAD)
        await eventually(lambda: sent(app, "sms"))
        async with app.state.sessionmaker() as session, session.begin():  # a process died mid-send
            (record,) = (await session.scalars(select(SendRecord).where(SendRecord.channel == "sms"))).all()
            record.status, record.attempts = "sending", 1
            record.claimed_at = datetime.now(UTC) - timedelta(minutes=5)
        await send_round(app.state.sessionmaker, app.state.channels, config)
        (record,) = await sent(app, "sms")
        assert record.status == "unknown" and not sms_gateway.attempts
        assert (await _outbox_types(app)).count("notification.message.failed.v1") == 1


async def test_preferences_refuse_a_channel_without_an_address(
    postgres_url: str, vhost_amqp_url: str
) -> None:
    async with running_service(create_app, settings(postgres_url, vhost_amqp_url)) as (_app, client):
        headers = identity_headers(HANDLER)
        url = "/api/v1/notification-preferences/me"
        for body in (
            {"channels": ["sms"]},
            {"channels": ["email"]},
            {"quiet_start": "22:00"},
            {"mobile": "123"},
        ):
            response = await client.put(url, json=body, headers=headers)
            assert response.status_code == 422, (body, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
        mine = await client.get(url, headers=headers)
        assert mine.json()["channels"] == [] and mine.json()["available"] == [
            "in_app"
        ]  # embedded default: inbox only


async def _done(app, expected_sent: int) -> bool:
    rows = await sent(app, "email") + await sent(app, "sms")
    return len([r for r in rows if r.status == "sent"]) == expected_sent


async def _mails(smtp: Mailbox, n: int) -> bool:
    return len(smtp.messages) >= n


async def _outbox_types(app) -> list[str]:
    from luoshi_kit.db import tables_of

    outbox = tables_of(app.state.sessionmaker).outbox
    async with app.state.sessionmaker() as session:
        return list((await session.scalars(select(outbox.event_type))).all())


async def test_im_robots_post_through_apprise_to_the_units_robot(
    postgres_url: str, vhost_amqp_url: str
) -> None:
    """apprise's generic json:// robot pointed at a local receiver (DingTalk/WeCom/Feishu URLs work alike)."""
    from aiohttp import web

    from luoshi_kit.testing import free_port

    posts: list[dict[str, object]] = []

    async def robot(request: web.Request) -> web.Response:
        posts.append(await request.json())
        return web.json_response({"errcode": 0})

    port = free_port()
    server = web.Application()
    server.router.add_post("/robot", robot)
    runner = web.AppRunner(server)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    robots = f'{{"520102000000": "json://127.0.0.1:{port}/robot"}}'  # the county's work group
    try:
        async with running_service(create_app, settings(postgres_url, vhost_amqp_url, im_robots=robots)) as (
            app,
            client,
        ):
            await add_people(app, ("p-h", LEAD, ["handler"]))
            await choose(client, HANDLER, channels=["im"])
            await publish(app, "tasking.task.assigned.v1", ASSIGNED, LEAD)

            async def posted() -> bool:
                return bool(posts)

            await eventually(posted)
            assert "推进垃圾分类" in str(posts[0]["title"])
            await eventually(lambda: _status(app, "im", "sent"))
    finally:
        await runner.cleanup()


async def _status(app: FastAPI, channel: str, status: str) -> bool:
    return [r.status for r in await sent(app, channel)] == [status]
