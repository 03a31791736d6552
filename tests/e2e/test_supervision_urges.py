"""Issue 11 (part B) end to end on the real services over RabbitMQ and PostgreSQL: an overdue task gets
exactly one supervision order (督办) even when its alert arrives twice and two supervision replicas run;
the order escalates one step once, across a replica's restart; the urged unit answers; bad input writes
nothing."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aio_pika
import httpx
import pytest
from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from luoshi_kit.testing import free_port
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.registry import EXCHANGE, routing_key
from luoshi_proto.tasking.v1 import TaskDeadlineAlert, TaskRef
from tests.e2e.cluster import Cluster, create_task, wait_until

pytestmark = pytest.mark.e2e
COUNTY = "520102000000"
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def _sql(cluster: Cluster, service: str, statement: str, **params: Any) -> list[Any]:
    engine = create_async_engine(
        cluster.env["LUOSHI_DATABASE_URL"].format(service=service), poolclass=pool.NullPool
    )
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(statement), params)
            return list(result.all()) if result.returns_rows else []
    finally:
        await engine.dispose()


def _backdate_task(cluster: Cluster, task_id: str, deadline: date, created: date) -> None:
    at = datetime.combine(created, datetime.min.time(), UTC)
    asyncio.run(
        _sql(
            cluster,
            "tasking",
            "UPDATE task SET deadline = :d, created_at = :c, accepted_at = :c WHERE id = :id",
            d=deadline,
            c=at,
            id=task_id,
        )
    )
    asyncio.run(
        _sql(
            cluster,
            "tasking",
            "UPDATE task_scope SET deadline = :d WHERE task_id = :id",
            d=deadline,
            id=task_id,
        )
    )


async def _publish(cluster: Cluster, data: TaskDeadlineAlert, event_type: str) -> None:
    envelope: CloudEvent[TaskDeadlineAlert] = CloudEvent(
        source="/luoshi/tasking",
        type=event_type,
        subject=data.task.task_id,
        orgcode=data.task.lead_unit,
        data=data,
    )
    connection = await aio_pika.connect(cluster.env["LUOSHI_AMQP_URL"])
    try:
        channel = await connection.channel()
        exchange = await channel.get_exchange(EXCHANGE)
        await exchange.publish(
            aio_pika.Message(
                envelope.model_dump_json().encode(),
                message_id=envelope.id,
                type=event_type,
                content_type="application/cloudevents+json",
            ),
            routing_key=routing_key(event_type, data.task.lead_unit),
            mandatory=True,
        )
    finally:
        await connection.close()


@contextmanager
def supervision_replica(cluster: Cluster) -> Iterator[str]:
    """A second supervision process over the same database and queue, scanning every second."""
    secrets = json.loads((cluster.data_dir / "secrets.json").read_text())
    port = free_port()
    env = {**os.environ, **cluster.env, **secrets, "LUOSHI_URGE_SCAN_SECONDS": "1"}
    cmd = [sys.executable, "-m", "luoshi_cli.main", "serve", "supervision", "--port", str(port)]
    log = (cluster.data_dir / f"supervision-replica-{port}.log").open("wb")
    process = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        assert process.poll() is None, (cluster.data_dir / f"supervision-replica-{port}.log").read_text()[
            -3000:
        ]
        try:
            return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(ready, 60, "the second supervision replica to be ready", interval=0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _urges(client: httpx.Client, task_id: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/urges", params={"task_id": task_id})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _problem(response: httpx.Response, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == f"urn:luoshi:problem:{slug}", response.text


def test_overdue_task_one_order_escalated_once_answered(distributed: Cluster) -> None:
    office = distributed.client("province_office")
    handler = distributed.client("county_handler")
    admin = distributed.client("admin")
    task = create_task(office, title="督办端到端", deadline=(TODAY + timedelta(days=5)).isoformat()).json()
    assert handler.post(f"/api/v1/tasks/{task['id']}/accept").status_code == 200
    deadline = TODAY - timedelta(days=3)
    _backdate_task(distributed, task["id"], deadline, TODAY - timedelta(days=30))

    with supervision_replica(distributed):
        assert admin.post("/api/v1/deadline-scans").status_code == 200
        orders = wait_until(
            lambda: [u for u in _urges(office, task["id"]) if u["kind"] == "order"] or None,
            30,
            "a 督办 order",
        )
        # The same occurrence again under a new event id (a producer's retry): still one order.
        alert = TaskDeadlineAlert(
            task=TaskRef(
                task_id=task["id"],
                title=task["title"],
                issuing_org=task["issuing_org"],
                lead_unit=COUNTY,
                deadline=deadline,
            ),
            occurrence=deadline.isoformat(),
            colour="red",
            due=deadline,
            working_days_left=-3,
            progress_percent=0,
            expected_percent=100,
        )
        for _ in range(3):
            asyncio.run(_publish(distributed, alert, "tasking.task.overdue.v1"))
        from tests.broker import queue_depths

        vhost = distributed.env["LUOSHI_AMQP_URL"].rsplit("/", 1)[-1]
        wait_until(
            lambda: queue_depths(vhost).get("supervision.events", 1) == 0, 30, "supervision to consume"
        )
        orders = [u for u in _urges(office, task["id"]) if u["kind"] == "order"]
        assert len(orders) == 1, orders
        order = orders[0]
        assert (order["org_code"], order["recipient_role"], order["level"]) == (COUNTY, "principal", 2)
        assert order["automatic"] and order["occurrence"] == deadline.isoformat()

        # Unanswered past its window: both replicas scan (the replica every second, the gateway on demand).
        asyncio.run(
            _sql(
                distributed,
                "supervision",
                "UPDATE urge SET answer_due_at = :t WHERE id = :id",
                t=datetime.now(UTC) - timedelta(minutes=5),
                id=order["id"],
            )
        )
        assert admin.post("/api/v1/urge-scans").status_code == 200
        escalated = wait_until(
            lambda: ((u := office.get(f"/api/v1/urges/{order['id']}").json())["level"] == 3 and u) or None,
            20,
            "the order to reach 上级督查室",
        )
    # The replica is gone; another one starts over the same data: the step is not taken again.
    with supervision_replica(distributed):
        time.sleep(2.5)  # two of its scans
        assert admin.post("/api/v1/urge-scans").json()["escalated"] == 0
    final = office.get(f"/api/v1/urges/{order['id']}").json()
    assert [s["action"] for s in final["steps"]] == ["issued", "escalated"]
    assert final["recipient_role"] == "office" and escalated["recipient_role"] == "office"

    # The urged unit answers (原因和整改措施); bad input first: 4xx problem+json, nothing written.
    path = f"/api/v1/urges/{order['id']}/answer"
    _problem(handler.post(path, json={"reason": "资金未到位"}), 422, "validation")
    _problem(handler.post(path, json={"reason": "x" * 2001, "plan": "p"}), 422, "validation")
    _problem(office.post(path, json={"reason": "r", "plan": "p"}), 403, "forbidden")
    assert office.get(f"/api/v1/urges/{order['id']}").json()["state"] == "open"
    answered = handler.post(path, json={"reason": "资金未到位", "plan": "月底前补齐资金, 下月完工"})
    assert answered.status_code == 200, answered.text
    assert answered.json()["state"] == "answered"
    _problem(handler.post(path, json={"reason": "r", "plan": "p"}), 409, "urge-not-open")

    # The task's trace (tasking) and its timeline (gateway) show the order's steps, each once.
    def trace_actions() -> list[str] | None:
        actions = [e["action"] for e in office.get(f"/api/v1/tasks/{task['id']}/events").json()]
        wanted = [a for a in actions if a.startswith("order_")]
        return wanted if len(wanted) >= 3 else None

    assert sorted(wait_until(trace_actions, 30, "the order on the task's trace")) == [
        "order_answered",
        "order_escalated",
        "order_issued",
    ]

    def timeline_types() -> list[str] | None:
        items = office.get(f"/api/v1/tasks/{task['id']}/timeline").json()["items"]
        types = [i["event_type"] for i in items if i["event_type"].startswith("supervision.urge.")]
        return types if len(types) >= 3 else None

    assert sorted(wait_until(timeline_types, 30, "the order on the task's timeline")) == [
        "supervision.urge.answered.v1",
        "supervision.urge.escalated.v1",
        "supervision.urge.issued.v1",
    ]
