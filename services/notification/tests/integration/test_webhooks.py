"""Webhook subscriptions: signed CloudEvents a local receiver verifies with ``standardwebhooks``;
scope and type filters, 暗访 withheld; retry after a 500; dead letter after the last retry and its replay;
secret rotation with overlap; a subscription that keeps failing is disabled and its owner told; SSRF
refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select

from luoshi_kit.identity import Identity
from luoshi_kit.testing import identity_headers, running_service
from luoshi_notification.inbox.models import Notification
from luoshi_notification.main import create_app
from luoshi_notification.webhooks.models import WebhookDelivery
from luoshi_notification.webhooks.sender import post
from luoshi_proto.supervision.v1 import InspectionRef, InspectionScheduled
from luoshi_proto.tasking.v1 import Actor, TaskAssigned, TaskRef

from .conftest import Receiver, count, eventually, publish, settings

CITY, COUNTY, OTHER_CITY = "520100000000", "520102000000", "520300000000"
EXAMPLE = Path(__file__).resolve().parents[4] / "docs" / "examples" / "verify_webhook.py"
ADMIN = Identity(person_id="p-admin", username="a", display_name="管理员", org_code=CITY, roles=["admin"])
BY = Actor(person_id="p-office", org_code=CITY)


def assigned(lead: str, title: str = "推进垃圾分类") -> TaskAssigned:
    task = TaskRef(
        task_id=f"T-{lead}", title=title, issuing_org=CITY, lead_unit=lead, deadline=date(2027, 6, 30)
    )
    return TaskAssigned(task=task, by=BY, at=datetime.now(UTC))


def hook_settings(postgres_url: str, amqp_url: str, **overrides: Any) -> Any:
    values = {
        "webhook_allowed_hosts": "127.0.0.1",
        "webhook_retry_schedule": "0.1,0.1",
        "webhook_jitter": 0.1,
    }
    return settings(postgres_url, amqp_url, **(values | overrides))


async def register(client: Any, receiver: Receiver, **body: Any) -> dict[str, Any]:
    body = {"name": "公文系统", "url": receiver.url, "scope_org": CITY} | body
    response = await client.post("/api/v1/subscriptions", json=body, headers=identity_headers(ADMIN))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    assert created["secret"].startswith("whsec_")
    receiver.secrets = [created["secret"]]
    return created


async def deliveries(app: FastAPI, status: str | None = None) -> list[WebhookDelivery]:
    async with app.state.sessionmaker() as session:
        query = select(WebhookDelivery)
        if status:
            query = query.where(WebhookDelivery.status == status)
        return list((await session.scalars(query)).all())


async def test_a_subscriber_gets_signed_events_of_its_scope_only_once(
    postgres_url: str, vhost_amqp_url: str, receiver: Receiver
) -> None:
    async with running_service(create_app, hook_settings(postgres_url, vhost_amqp_url)) as (app, client):
        await register(client, receiver, event_types=["tasking.task.*", "supervision.inspection.*"])
        inside = await publish(app, "tasking.task.assigned.v1", assigned(COUNTY), COUNTY)
        await publish(app, "tasking.task.assigned.v1", assigned(COUNTY), COUNTY, event_id=inside.id)  # again
        await publish(app, "tasking.task.assigned.v1", assigned(OTHER_CITY), OTHER_CITY)  # outside the scope
        secret = InspectionRef(
            inspection_id="I-9",
            title="暗访",
            kind="unannounced",
            inspecting_org=CITY,
            target_orgs=[COUNTY],
            planned_start=date(2027, 1, 4),
            planned_end=date(2027, 1, 8),
            unannounced=True,
        )
        await publish(
            app,
            "supervision.inspection.scheduled.v1",
            InspectionScheduled(inspection=secret, by=BY, at=datetime.now(UTC)),
            CITY,
        )
        last = await publish(app, "tasking.task.accepted.v1", assigned(COUNTY, "最后一件"), COUNTY)

        async def two() -> bool:
            return len(receiver.verified) >= 2

        await eventually(two)
        assert sorted(e["id"] for e in receiver.verified) == sorted([inside.id, last.id])
        first = next(e for e in receiver.verified if e["id"] == inside.id)
        assert first["type"] == "tasking.task.assigned.v1" and first["specversion"] == "1.0"
        assert first["data"]["task"]["lead_unit"] == COUNTY
        assert len(await deliveries(app)) == 2
        assert receiver.headers[0]["webhook-id"].startswith("msg_")


async def test_a_replica_has_a_bounded_number_of_posts_in_flight(
    postgres_url: str, vhost_amqp_url: str, receiver: Receiver
) -> None:
    receiver.delay = 0.2
    # Rounds 3 s apart: the twelve are published well within one gap, so a round claims at least six.
    config = hook_settings(postgres_url, vhost_amqp_url, webhook_concurrency=3, webhook_poll_seconds=3)
    async with running_service(create_app, config) as (app, client):
        await register(client, receiver)
        sent = [
            await publish(app, "tasking.task.assigned.v1", assigned(COUNTY, f"第{i}件"), COUNTY)
            for i in range(12)
        ]
        await eventually(lambda: _delivered_count(app, 12))
        assert sorted(e["id"] for e in receiver.verified) == sorted(e.id for e in sent)
        assert receiver.most_in_flight == 3


async def test_a_500_is_retried_and_repeated_failure_ends_in_the_dead_letter_list_which_replays(
    postgres_url: str, vhost_amqp_url: str, receiver: Receiver
) -> None:
    async with running_service(create_app, hook_settings(postgres_url, vhost_amqp_url)) as (app, client):
        sub = await register(client, receiver)
        headers = identity_headers(ADMIN)
        receiver.failures_left = 1
        first = await publish(app, "tasking.task.assigned.v1", assigned(COUNTY), COUNTY)

        async def delivered() -> list[WebhookDelivery]:
            return await deliveries(app, "delivered")

        (item,) = await eventually(delivered)
        assert item.event_id == first.id and item.attempts == 2
        detail = (
            await client.get(f"/api/v1/subscriptions/{sub['id']}/deliveries/{item.id}", headers=headers)
        ).json()
        assert [a["status_code"] for a in detail["attempt_log"]] == [500, 204]

        receiver.failures_left = 3  # the first try and both retries fail
        second = await publish(app, "tasking.task.assigned.v1", assigned(COUNTY, "第二件"), COUNTY)

        async def dead() -> list[WebhookDelivery]:
            return await deliveries(app, "dead")

        (gone,) = await eventually(dead)
        assert gone.event_id == second.id and gone.attempts == 3
        log = await client.get(f"/api/v1/subscriptions/{sub['id']}/deliveries?status=dead", headers=headers)
        assert [d["id"] for d in log.json()["items"]] == [gone.id]

        replay = await client.post(
            f"/api/v1/subscriptions/{sub['id']}/deliveries/{gone.id}/replay", headers=headers
        )
        assert replay.json() == {"replayed": 1}
        await eventually(lambda: _delivered_count(app, 2))
        assert [e["id"] for e in receiver.verified] == [first.id, second.id]
        again = await client.post(
            f"/api/v1/subscriptions/{sub['id']}/deliveries/{gone.id}/replay", headers=headers
        )
        assert again.status_code == 409
        metrics = (await client.get("/metrics")).text
        for line in (
            f'luoshi_webhook_attempts_total{{outcome="ok",subscription="{sub["id"]}"}} 2.0',
            f'luoshi_webhook_attempts_total{{outcome="failed",subscription="{sub["id"]}"}} 4.0',
            f'luoshi_webhook_failures_total{{reason="status",subscription="{sub["id"]}"}} 4.0',
            f'luoshi_webhook_dead_letters_total{{subscription="{sub["id"]}"}} 1.0',
            f'luoshi_webhook_latency_seconds_count{{subscription="{sub["id"]}"}} 6.0',
        ):
            assert line in metrics, line


async def test_a_rotated_secret_signs_beside_the_old_one_during_the_overlap(
    postgres_url: str, vhost_amqp_url: str, receiver: Receiver
) -> None:
    async with running_service(create_app, hook_settings(postgres_url, vhost_amqp_url)) as (app, client):
        sub = await register(client, receiver)
        old = receiver.secrets[0]
        rotated = await client.post(
            f"/api/v1/subscriptions/{sub['id']}/secret",
            json={"overlap_hours": 1},
            headers=identity_headers(ADMIN),
        )
        new = rotated.json()["secret"]
        assert new != old and rotated.json()["previous_valid_until"]
        receiver.secrets = [old]  # a receiver that has not switched yet
        await publish(app, "tasking.task.assigned.v1", assigned(COUNTY), COUNTY)
        await eventually(lambda: _delivered_count(app, 1))
        assert len(receiver.headers[0]["webhook-signature"].split(" ")) == 2
        receiver.secrets = [new]  # and one that has
        await publish(app, "tasking.task.assigned.v1", assigned(COUNTY, "第二件"), COUNTY)
        await eventually(lambda: _delivered_count(app, 2))
        none = await client.post(
            f"/api/v1/subscriptions/{sub['id']}/secret",
            json={"overlap_hours": 0},
            headers=identity_headers(ADMIN),
        )
        assert none.status_code == 200  # no overlap: only the newest secret signs from now on
        await publish(app, "tasking.task.assigned.v1", assigned(COUNTY, "第三件"), COUNTY)
        await eventually(lambda: _dead_or_delivered(app, 3))
        assert len(receiver.verified) == 2  # the receiver holding the superseded secret refuses


async def test_a_subscription_that_keeps_failing_is_disabled_and_its_owner_told(
    postgres_url: str, vhost_amqp_url: str, receiver: Receiver
) -> None:
    config = hook_settings(
        postgres_url, vhost_amqp_url, webhook_disable_after=3, webhook_retry_schedule="0.1,0.1,0.1"
    )
    async with running_service(create_app, config) as (app, client):
        sub = await register(client, receiver)
        receiver.failures_left = 100
        await publish(app, "tasking.task.assigned.v1", assigned(COUNTY), COUNTY)

        async def disabled() -> bool:
            got = await client.get(f"/api/v1/subscriptions/{sub['id']}", headers=identity_headers(ADMIN))
            return got.json()["active"] is False

        await eventually(disabled)
        assert receiver.hits == 3
        async with app.state.sessionmaker() as session:
            (told,) = (
                await session.scalars(
                    select(Notification).where(Notification.recipient_id == ADMIN.person_id)
                )
            ).all()
        assert told.kind == "subscription.disabled" and "公文系统" in told.title
        enabled = await client.patch(
            f"/api/v1/subscriptions/{sub['id']}", json={"active": True}, headers=identity_headers(ADMIN)
        )
        assert enabled.json()["consecutive_failures"] == 0


async def test_unsafe_endpoints_are_refused(
    postgres_url: str, vhost_amqp_url: str, receiver: Receiver
) -> None:
    async with running_service(create_app, hook_settings(postgres_url, vhost_amqp_url)) as (app, client):
        for url in (
            "http://127.0.0.2/hook",  # loopback
            "http://[::1]:8080/hook",
            "http://169.254.169.254/latest/meta-data/",  # link-local: cloud metadata
            "http://10.1.2.3/hook",  # private
            "http://192.168.1.10/hook",
            "http://224.0.0.1/hook",  # multicast
            "http://localhost:9/hook",  # a name that resolves to 127.0.0.1
            "ftp://example.gov.cn/hook",
            "http://user:pw@example.gov.cn/hook",
        ):
            body = {"name": "x", "url": url, "scope_org": CITY}
            response = await client.post("/api/v1/subscriptions", json=body, headers=identity_headers(ADMIN))
            assert response.status_code == 422, (url, response.text)
        assert not await count(app, WebhookDelivery)

        # DNS rebinding: the name passed at registration and resolves to loopback at connect time.
        async def rebound(host: str, port: int) -> list[str]:
            return ["127.0.0.1"]

        result = await post(
            url="http://hooks.example.gov.cn/x",
            body="{}",
            msg_id="msg_1",
            keys=["whsec_QUFBQQ=="],
            allowed_hosts=frozenset(),
            seconds=2,
            resolver=rebound,
        )
        assert not result.ok and result.reason == "refused" and receiver.hits == 0

        # A redirect is never followed, even from an allowed host.
        receiver.redirect_to = "http://169.254.169.254/latest/meta-data/"
        await register(client, receiver)
        await publish(app, "tasking.task.assigned.v1", assigned(COUNTY), COUNTY)
        await eventually(lambda: _dead_or_delivered(app, 1))
        (item,) = await deliveries(app)
        assert item.status == "dead" and item.last_status == 302 and "redirect" in (item.last_error or "")
        assert receiver.hits == 3 and not receiver.verified

        outside = {"name": "x", "url": receiver.url, "scope_org": OTHER_CITY}
        response = await client.post("/api/v1/subscriptions", json=outside, headers=identity_headers(ADMIN))
        assert response.status_code == 404
        office = Identity(
            person_id="p-o", username="o", display_name="督查室", org_code=CITY, roles=["office"]
        )
        response = await client.post(
            "/api/v1/subscriptions", json=outside | {"scope_org": CITY}, headers=identity_headers(office)
        )
        assert response.status_code == 403


async def _delivered_count(app: FastAPI, n: int) -> bool:
    return len(await deliveries(app, "delivered")) >= n


async def _dead_or_delivered(app: FastAPI, n: int) -> bool:
    return len(await deliveries(app, "delivered")) + len(await deliveries(app, "dead")) >= n


async def test_the_documented_receiver_verifies_a_real_delivery(
    postgres_url: str, vhost_amqp_url: str, receiver: Receiver
) -> None:
    """docs/examples/verify_webhook.py, run as a subscriber would, takes a delivery and prints it once."""
    import asyncio
    import json
    import os
    import subprocess
    import sys

    from luoshi_kit.testing import free_port

    example = EXAMPLE
    port = free_port()
    receiver.url = f"http://127.0.0.1:{port}/"
    async with running_service(create_app, hook_settings(postgres_url, vhost_amqp_url)) as (app, client):
        sub = await register(client, receiver)
        env = os.environ | {"LUOSHI_WEBHOOK_SECRET": sub["secret"]}
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(example), "--port", str(port), stdout=subprocess.PIPE, env=env
        )
        try:
            event = await publish(app, "tasking.task.assigned.v1", assigned(COUNTY), COUNTY)
            assert process.stdout is not None
            line = json.loads(await asyncio.wait_for(process.stdout.readline(), 30))
            assert line["id"] == event.id and line["type"] == "tasking.task.assigned.v1"
            await eventually(lambda: _delivered_count(app, 1))
        finally:
            process.terminate()
            await process.wait()
