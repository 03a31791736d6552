"""A batch of events, as the consumer hands it over, gives what the same events give one by one — the inbox
messages, their planned sends, the webhook deliveries, nothing twice for a message already there — with a
number of statements that does not grow with the batch (its handler reads for the whole batch first)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy import event, select

from luoshi_kit.messaging.bus import Delivery
from luoshi_kit.messaging.inbox import EventConsumer
from luoshi_kit.testing import running_service
from luoshi_notification.inbox.models import Notification
from luoshi_notification.main import create_app
from luoshi_notification.preferences.models import Preference
from luoshi_notification.routing.handlers import HANDLERS
from luoshi_notification.sends.models import SendRecord
from luoshi_notification.webhooks.models import Subscription, WebhookDelivery
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.tasking.v1 import Actor, TaskAccepted, TaskAssigned, TaskRef

from .conftest import add_people, settings

PROVINCE, CITY, COUNTY, OTHER = "520000000000", "520100000000", "520102000000", "520103000000"
BY = Actor(person_id="p-office", org_code=PROVINCE)


def _task(n: int, lead: str, co: list[str]) -> TaskRef:
    return TaskRef(
        task_id=f"T-{n}",
        title=f"任务{n}",
        issuing_org=PROVINCE,
        lead_unit=lead,
        co_units=co,
        deadline=date(2027, 6, 30),
    )


def _events() -> list[tuple[str, Any]]:
    now = datetime.now(UTC)
    return [
        ("tasking.task.assigned.v1", TaskAssigned(task=_task(1, COUNTY, [OTHER]), by=BY, at=now)),
        ("tasking.task.assigned.v1", TaskAssigned(task=_task(2, OTHER, []), by=BY, at=now)),
        ("tasking.task.accepted.v1", TaskAccepted(task=_task(1, COUNTY, [OTHER]), by=BY, at=now)),
        ("tasking.task.assigned.v1", TaskAssigned(task=_task(3, CITY, [COUNTY]), by=BY, at=now)),
    ]


def _deliveries(prefix: str) -> list[Delivery]:
    out = []
    for n, (event_type, data) in enumerate(_events()):
        model: Any = CloudEvent[type(data)]  # type: ignore[misc]
        e = model(
            id=f"{prefix}-{n}",
            source="/luoshi/tasking",
            type=event_type,
            orgcode=data.task.lead_unit,
            data=data,
        )
        out.append(Delivery(e.id, "", e.model_dump_json().encode(), 0, event_type))
    return out


async def _seed(app: FastAPI) -> None:
    await add_people(
        app,
        ("p-office", PROVINCE, ["office"]),
        ("p-county-handler", COUNTY, ["handler"]),
        ("p-county-2", COUNTY, ["handler", "principal"]),
        ("p-other-handler", OTHER, ["handler"]),
        ("p-city-handler", CITY, ["handler"]),
    )
    async with app.state.sessionmaker() as session, session.begin():
        session.add(Preference(person_id="p-county-handler", channels=["email"], email="h@example.cn"))
        session.add(
            Subscription(
                id=str(uuid.uuid4()),
                name="平台",
                url="http://127.0.0.1:9/hook",
                scope_org=COUNTY,
                event_types=[],
                secret="s" * 32,
                owner_id="p-office",
                owner_org=PROVINCE,
            )
        )
        for prefix in ("batch", "single"):  # a message already there: a redelivered event's
            session.add(
                Notification(
                    id=str(uuid.uuid4()),
                    recipient_id="p-county-2",
                    kind="task",
                    title="任务1",
                    body="",
                    org_code=COUNTY,
                    event_id=f"{prefix}-0",
                    created_at=datetime.now(UTC),
                )
            )


async def _outcome(app: FastAPI, prefix: str) -> dict[str, set[tuple[Any, ...]]]:
    def index(event_id: str) -> str:
        return event_id.removeprefix(f"{prefix}-")

    async with app.state.sessionmaker() as session:
        notes = (
            await session.scalars(select(Notification).where(Notification.event_id.like(f"{prefix}-%")))
        ).all()
        by_id = {n.id: n for n in notes}
        sends = (await session.scalars(select(SendRecord).where(SendRecord.notification_id.in_(by_id)))).all()
        hooks = (
            await session.scalars(select(WebhookDelivery).where(WebhookDelivery.event_id.like(f"{prefix}-%")))
        ).all()
    return {
        "messages": {(index(n.event_id), n.recipient_id, n.title, n.kind) for n in notes},
        "sends": {
            (
                index(by_id[s.notification_id].event_id),
                by_id[s.notification_id].recipient_id,
                s.channel,
                s.status,
            )
            for s in sends
        },
        "webhooks": {(index(h.event_id), h.subscription_id, h.event_type) for h in hooks},
    }


def _statements(app: FastAPI) -> list[str]:
    """The statements this task sends from now on (the service's own workers, polling the same engine in
    tasks of their own, are not counted: in one CI run a poll landed in one batch's count)."""
    seen: list[str] = []
    mine = asyncio.current_task()

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if asyncio.current_task() is mine:
            seen.append(" ".join(statement.split()[:3]))

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", record)
    return seen


async def test_a_batch_gives_what_its_events_give_one_by_one_in_a_few_statements(
    postgres_url: str, vhost_amqp_url: str
) -> None:
    async with running_service(create_app, settings(postgres_url, vhost_amqp_url)) as (app, _client):
        await _seed(app)
        consumer = EventConsumer(
            service="notification", sessionmaker=app.state.sessionmaker, handlers=HANDLERS
        )
        for delivery in _deliveries("single"):
            await consumer.handle_one(delivery)
        seen = _statements(app)
        await consumer.handle_batch(_deliveries("batch"))
        batch_of_four = list(seen)
        await consumer.handle_batch(_deliveries("more") + _deliveries("again") + _deliveries("most"))
        batch_of_twelve = seen[len(batch_of_four) :]
        one_by_one, batched = await _outcome(app, "single"), await _outcome(app, "batch")
    assert batched == one_by_one
    assert ("0", "p-county-2", "任务1", "task") in batched["messages"]  # the one there, not a second
    assert len([m for m in batched["messages"] if m[0] == "0"]) == 3  # county ×2 (one there), other
    assert ("0", "p-county-handler", "email", "pending") in batched["sends"]
    assert {h[0] for h in batched["webhooks"]} == {"0", "2"}  # led in the county's subtree only
    assert batch_of_twelve == batch_of_four  # reads and writes per batch, not per event
