"""Issue 9 end to end through the gateway on the real services: deadline extensions (延期申请) —
request, approve (the deadline engine and the colour follow), reject, too many, a late request, bad
input (4xx problem+json, nothing written) — and a retried create with an Idempotency-Key."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.e2e.cluster import Cluster, create_task, wait_until

pytestmark = pytest.mark.e2e
COUNTY = "520102000000"
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _problem(response: httpx.Response, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    assert response.json()["type"] == f"urn:luoshi:problem:{slug}", response.text


def _backdate(cluster: Cluster, task_id: str, deadline: date, created: date) -> None:
    """Let time pass for one task: its deadline (and creation) lie in the past now."""

    async def run() -> None:
        url = cluster.env["LUOSHI_DATABASE_URL"].format(service="tasking")
        engine = create_async_engine(url, poolclass=pool.NullPool)
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    text("UPDATE task SET deadline = :d, created_at = :c, accepted_at = :c WHERE id = :id"),
                    {"d": deadline, "c": datetime.combine(created, datetime.min.time(), UTC), "id": task_id},
                )
                await conn.execute(
                    text("UPDATE task_scope SET deadline = :d WHERE task_id = :id"),
                    {
                        "d": deadline,
                        "id": task_id,
                    },
                )
        finally:
            await engine.dispose()

    asyncio.run(run())


def _timeline(client: httpx.Client, task_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/tasks/{task_id}/timeline")
    return response.json()["items"] if response.status_code == 200 else []


def _wait_for(client: httpx.Client, task_id: str, event_type: str, count: int = 1) -> list[dict[str, Any]]:
    def seen() -> list[dict[str, Any]] | None:
        items = [i for i in _timeline(client, task_id) if i["event_type"] == event_type]
        return items if len(items) >= count else None

    return wait_until(seen, 20, f"{count}× {event_type} on the timeline")


def test_extension_flow_through_the_gateway(distributed: Cluster) -> None:
    office = distributed.client("province_office")  # the issuer
    handler = distributed.client("county_handler")  # the lead unit
    deputy = distributed.client("city_deputy")  # sees the task, on neither side
    admin = distributed.client("admin")
    first_deadline = TODAY + timedelta(days=1)
    task = create_task(office, title="延期申请端到端", deadline=first_deadline.isoformat()).json()
    path = f"/api/v1/tasks/{task['id']}"
    assert handler.post(f"{path}/accept").status_code == 200
    assert task["original_deadline"] == first_deadline.isoformat() and task["extension_count"] == 0

    # Bad input and the wrong people: 4xx problem+json, nothing written.
    events = len(office.get(f"{path}/events").json())
    wanted = TODAY + timedelta(days=3)
    _problem(
        handler.post(f"{path}/extensions", json={"requested_deadline": wanted.isoformat()}), 422, "validation"
    )
    body = {"requested_deadline": first_deadline.isoformat(), "reason": "r"}
    _problem(handler.post(f"{path}/extensions", json=body), 422, "extension-not-later")
    body = {"requested_deadline": "2026-13-01", "reason": "r"}
    _problem(handler.post(f"{path}/extensions", json=body), 422, "validation")
    body = {"requested_deadline": wanted.isoformat(), "reason": "征地手续未完成"}
    _problem(office.post(f"{path}/extensions", json=body), 403, "forbidden")
    _problem(deputy.post(f"{path}/extensions", json=body), 403, "forbidden")
    assert office.get(f"{path}/extensions").json()["total"] == 0
    assert len(office.get(f"{path}/events").json()) == events

    # Request (retried with the same key: applied once), then approve.
    key = {"Idempotency-Key": str(uuid.uuid4())}
    requested = handler.post(f"{path}/extensions", json=body, headers=key)
    assert requested.status_code == 201, requested.text
    retried = handler.post(f"{path}/extensions", json=body, headers=key)
    assert retried.status_code == 201 and retried.headers.get("idempotent-replayed") == "true"
    assert retried.json()["id"] == requested.json()["id"]
    extension = requested.json()
    assert extension["late"] is False and extension["working_days_added"] >= 0
    assert office.get(f"{path}/extensions").json()["total"] == 1
    # Scan before the decision: due soon on the first deadline.
    assert admin.post("/api/v1/deadline-scans").status_code == 200
    soon = _wait_for(office, task["id"], "tasking.task.due_soon.v1")
    assert soon[0]["data"]["due"] == first_deadline.isoformat()
    decision = f"{path}/extensions/{extension['id']}/decision"
    _problem(handler.post(decision, json={"decision": "approve"}), 403, "forbidden")
    approved = office.post(decision, json={"decision": "approve", "comment": "同意"})
    assert approved.status_code == 200, approved.text
    read = office.get(path).json()
    assert read["deadline"] == wanted.isoformat() and read["original_deadline"] == first_deadline.isoformat()
    assert read["extension_count"] == 1
    # The deadline engine follows: a new occurrence for the new deadline.
    assert admin.post("/api/v1/deadline-scans").status_code == 200
    soon = _wait_for(office, task["id"], "tasking.task.due_soon.v1", 2)
    assert {s["data"]["due"] for s in soon} == {first_deadline.isoformat(), wanted.isoformat()}
    extended = _wait_for(office, task["id"], "tasking.task.deadline_extended.v1")[0]
    assert extended["data"]["task"]["original_deadline"] == first_deadline.isoformat()
    assert extended["data"]["task"]["extension_count"] == 1

    # Reject: a comment is required, the deadline stays.
    later = {"requested_deadline": (TODAY + timedelta(days=30)).isoformat(), "reason": "仍需协调"}
    second = handler.post(f"{path}/extensions", json=later).json()
    decision = f"{path}/extensions/{second['id']}/decision"
    _problem(office.post(decision, json={"decision": "reject"}), 422, "validation")
    assert office.post(decision, json={"decision": "reject", "comment": "理由不充分"}).status_code == 200
    assert office.get(path).json()["deadline"] == wanted.isoformat()

    # Time passes: the deadline is behind us, the task is red and overdue is raised.
    _backdate(distributed, task["id"], TODAY - timedelta(days=2), TODAY - timedelta(days=20))
    assert office.get(path).json()["status"]["colour"] == "red"
    assert admin.post("/api/v1/deadline-scans").status_code == 200
    _wait_for(office, task["id"], "tasking.task.overdue.v1")
    # A late request is allowed and marked; its approval turns the colour back.
    late = handler.post(f"{path}/extensions", json=later)
    assert late.status_code == 201, late.text
    assert late.json()["late"] is True
    ok = office.post(f"{path}/extensions/{late.json()['id']}/decision", json={"decision": "approve"})
    assert ok.status_code == 200, ok.text
    status = office.get(path).json()
    assert status["deadline"] == later["requested_deadline"] and status["extension_count"] == 2
    assert status["status"]["colour"] != "red" and not status["status"]["overdue"]

    # Too many: the default limit is two approved extensions.
    events = len(office.get(f"{path}/events").json())
    more = {"requested_deadline": (TODAY + timedelta(days=60)).isoformat(), "reason": "再延"}
    _problem(handler.post(f"{path}/extensions", json=more), 409, "extension-limit")
    assert len(office.get(f"{path}/events").json()) == events

    # The timeline shows the requests, decisions and extensions; the inboxes were told.
    _wait_for(office, task["id"], "tasking.task.extension_requested.v1", 3)
    _wait_for(office, task["id"], "tasking.task.extension_decided.v1", 3)
    _wait_for(office, task["id"], "tasking.task.deadline_extended.v1", 2)

    def told(client: httpx.Client, text_: str) -> bool:
        items = client.get("/api/v1/notifications", params={"limit": 200}).json()["items"]
        return any(text_ in n["title"] and task["title"] in n["title"] for n in items)

    wait_until(lambda: told(office, "延期申请待审批") or None, 20, "the issuer's office to be asked")
    wait_until(lambda: told(handler, "延期申请审批结果") or None, 20, "the lead handler to be told")


def test_a_change_of_the_task_reaches_the_timeline(distributed: Cluster) -> None:
    office = distributed.client("province_office")
    handler = distributed.client("county_handler")
    task = create_task(office, title="任务变更端到端").json()
    path = f"/api/v1/tasks/{task['id']}"
    _problem(office.patch(path, json={"reason": "r", "deadline": "2020-01-01"}), 422, "deadline-in-past")
    _problem(handler.patch(path, json={"reason": "r", "title": "x"}), 403, "forbidden")
    changed = office.patch(path, json={"reason": "按会议纪要调整", "title": "任务变更端到端 (调整后)"})
    assert changed.status_code == 200, changed.text
    updated = _wait_for(office, task["id"], "tasking.task.updated.v1")[0]
    assert "按会议纪要调整" in updated["summary"] and "调整后" in updated["summary"]
    wait_until(
        lambda: (
            any(
                "任务已变更" in n["title"]
                for n in handler.get("/api/v1/notifications", params={"limit": 200}).json()["items"]
            )
            or None
        ),
        20,
        "the lead handler to hear of the change",
    )


def test_a_retried_create_through_the_gateway_is_applied_once(distributed: Cluster) -> None:
    office = distributed.client("province_office")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    title = f"幂等交办-{uuid.uuid4().hex[:6]}"
    first = office.post(
        "/api/v1/tasks", json={"title": title, "lead_unit": COUNTY, "deadline": "2099-12-31"}, headers=key
    )
    again = office.post(
        "/api/v1/tasks", json={"title": title, "lead_unit": COUNTY, "deadline": "2099-12-31"}, headers=key
    )
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true" and again.json()["id"] == first.json()["id"]
    other = office.post(
        "/api/v1/tasks",
        json={"title": title + "!", "lead_unit": COUNTY, "deadline": "2099-12-31"},
        headers=key,
    )
    _problem(other, 422, "idempotency-key-reused")
    listed = office.get("/api/v1/tasks", params={"limit": 200, "sort": "-created_at"}).json()["items"]
    assert sum(1 for t in listed if t["title"] == title) == 1
