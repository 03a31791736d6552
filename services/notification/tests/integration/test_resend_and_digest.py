"""The urgent re-send: an urgent message left unread past the working hours goes out once more on the next
channel — once, across a restart; a read one does not. The daily digest: one e-mail a day however often the
scan runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from luoshi_kit.identity import Identity
from luoshi_kit.testing import identity_headers, running_service
from luoshi_notification.digest.jobs import digest_round
from luoshi_notification.inbox.models import Notification
from luoshi_notification.main import create_app
from luoshi_notification.sends.jobs import escalation_round
from luoshi_notification.sends.models import SendRecord
from luoshi_proto.tasking.v1 import Actor, TaskAssigned, TaskDeadlineAlert, TaskRef

from .conftest import Mailbox, SmsGateway, add_people, channel_settings, count, eventually, publish, settings

LEAD, ISSUER = "520102001000", "520102000000"
HANDLER = Identity(person_id="p-h", username="h", display_name="承办人", org_code=LEAD, roles=["handler"])


def task(task_id: str) -> TaskRef:
    return TaskRef(
        task_id=task_id,
        title=f"任务{task_id}",
        issuing_org=ISSUER,
        lead_unit=LEAD,
        deadline=date(2026, 6, 30),
    )


def overdue(task_id: str) -> TaskDeadlineAlert:
    return TaskDeadlineAlert(
        task=task(task_id),
        occurrence="2026-06-30",
        colour="red",
        due=date(2026, 6, 30),
        working_days_left=-3,
        progress_percent=20,
        expected_percent=100,
    )


async def test_an_unread_urgent_message_is_resent_once_on_the_next_channel_across_a_restart(
    postgres_url: str, vhost_amqp_url: str, smtp: Mailbox, sms_gateway: SmsGateway
) -> None:
    config = settings(
        postgres_url, vhost_amqp_url, urgent_resend_working_hours=2, **channel_settings(smtp, sms_gateway)
    )
    async with running_service(create_app, config) as (app, client):
        await add_people(app, ("p-h", LEAD, ["handler"]))
        prefs = {"channels": ["email"], "email": "h@example.gov.cn", "mobile": "13800000001"}
        put = await client.put(
            "/api/v1/notification-preferences/me", json=prefs, headers=identity_headers(HANDLER)
        )
        assert put.status_code == 200, put.text
        await publish(app, "tasking.task.overdue.v1", overdue("T-1"), LEAD)
        await publish(app, "tasking.task.overdue.v1", overdue("T-2"), LEAD)

        async def two_mails() -> bool:
            return len(smtp.messages) == 2

        await eventually(two_mails)
        assert await escalation_round(app.state.sessionmaker, app.state.channels, config) == 0  # not yet due
        async with app.state.sessionmaker() as session, session.begin():  # a week passes; T-2 is read
            week_ago = datetime.now(UTC) - timedelta(days=7)
            await session.execute(update(Notification).values(created_at=week_ago))
            await session.execute(
                update(Notification)
                .where(Notification.title.contains("T-2"))
                .values(read_at=datetime.now(UTC))
            )
        assert await escalation_round(app.state.sessionmaker, app.state.channels, config) == 1

        async def texted() -> bool:
            return len(sms_gateway.received) == 1

        await eventually(texted)
        assert "T-1" in sms_gateway.received[0]["content"]
        assert await escalation_round(app.state.sessionmaker, app.state.channels, config) == 0
    async with running_service(create_app, config) as (app, _client):  # a restart: the marker is in the data
        assert await escalation_round(app.state.sessionmaker, app.state.channels, config) == 0
        assert await count(app, SendRecord, SendRecord.escalation.is_(True)) == 1
        assert len(sms_gateway.received) == 1 and len(smtp.messages) == 2


async def test_the_daily_digest_goes_out_once_a_day(
    postgres_url: str, vhost_amqp_url: str, smtp: Mailbox, sms_gateway: SmsGateway
) -> None:
    config = settings(postgres_url, vhost_amqp_url, digest_hour=0, **channel_settings(smtp, sms_gateway))
    async with running_service(create_app, config) as (app, client):
        await add_people(app, ("p-h", LEAD, ["handler"]))
        prefs = {"channels": ["email"], "email": "h@example.gov.cn", "digest": True}
        put = await client.put(
            "/api/v1/notification-preferences/me", json=prefs, headers=identity_headers(HANDLER)
        )
        assert put.status_code == 200, put.text
        by = Actor(person_id="p-o", org_code=ISSUER)
        for n in (1, 2, 3):
            await publish(
                app,
                "tasking.task.assigned.v1",
                TaskAssigned(task=task(f"T-{n}"), by=by, at=datetime.now(UTC)),
                LEAD,
            )

        async def three() -> bool:
            return await count(app, Notification) == 3

        await eventually(three)
        assert not smtp.messages  # ordinary mail waits for the digest
        assert await digest_round(app.state.sessionmaker, app.state.channels, config) == 1
        assert await digest_round(app.state.sessionmaker, app.state.channels, config) == 0
        (mail,) = smtp.messages
        assert "3 条未读" in str(mail["Subject"])
        text = mail.get_content()
        assert all(f"任务T-{n}" in text for n in (1, 2, 3))
