"""Nothing lost, nothing twice: a broker outage during writes, and the same event delivered twice."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime

import aio_pika
import pytest

from luoshi_proto.envelope import CloudEvent
from luoshi_proto.registry import EXCHANGE, routing_key
from luoshi_proto.tasking.v1 import Actor, TaskAssigned, TaskRef
from tests.broker import broker_stopped
from tests.e2e.cluster import Cluster, create_task, wait_until

pytestmark = pytest.mark.e2e


def _inbox_subjects(cluster: Cluster, username: str) -> list[str]:
    items = cluster.client(username).get("/api/v1/notifications", params={"limit": 200}).json()["items"]
    return [n["subject"] for n in items]


def test_broker_outage_loses_no_event(distributed: Cluster) -> None:
    office = distributed.client("province_office")
    created: list[str] = []
    with broker_stopped():
        wait_until(
            lambda: distributed.client().get("/readyz").status_code == 503,
            30,
            "the gateway to see the outage",
        )
        for n in range(20):
            response = create_task(office, title=f"停机期间交办的任务 {n}")
            assert response.status_code == 201, response.text  # writes keep being accepted
            created.append(response.json()["id"])
    # After start_app every event reaches the handler's inbox, exactly once.
    wait_until(
        lambda: set(created) <= set(_inbox_subjects(distributed, "county_handler")),
        90,
        "every task created during the outage to reach the inbox",
        interval=0.5,
    )
    subjects = _inbox_subjects(distributed, "county_handler")
    assert all(subjects.count(task_id) == 1 for task_id in created)


async def _publish_twice(amqp_url: str, event: CloudEvent[TaskAssigned]) -> None:
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.get_exchange(EXCHANGE)
        for _ in range(2):
            await exchange.publish(
                aio_pika.Message(event.model_dump_json().encode(), message_id=event.id, type=event.type),
                routing_key(event.type, event.orgcode),
                mandatory=True,
            )
    finally:
        await connection.close()


def test_same_event_twice_changes_nothing_twice(distributed: Cluster) -> None:
    task_id = str(uuid.uuid4())
    event = CloudEvent[TaskAssigned](
        source="/luoshi/tasking",
        type="tasking.task.assigned.v1",
        subject=task_id,
        orgcode="520102000000",
        data=TaskAssigned(
            task=TaskRef(
                task_id=task_id,
                title="重复投递测试",
                issuing_org="520000000000",
                lead_unit="520102000000",
                deadline=date(2099, 1, 1),
            ),
            by=Actor(person_id="u-province_office", org_code="520000000000"),
            at=datetime.now(UTC),
        ),
    )
    asyncio.run(_publish_twice(distributed.env["LUOSHI_AMQP_URL"], event))
    wait_until(
        lambda: task_id in _inbox_subjects(distributed, "county_handler"), 30, "the event to be handled"
    )
    # Give a second delivery every chance to land before counting.
    follow_up = create_task(distributed.client("province_office"), title="之后的任务").json()["id"]
    wait_until(lambda: follow_up in _inbox_subjects(distributed, "county_handler"), 30, "a later event")
    assert _inbox_subjects(distributed, "county_handler").count(task_id) == 1
