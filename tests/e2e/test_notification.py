"""Notification end to end through the gateway on the real services (issue 13): the live inbox streams
through the gateway (server-sent events), a webhook subscriber registered through the API receives a
signed CloudEvent it verifies with ``standardwebhooks`` (once, with a delivery log), and in the embedded
mode only the inbox is on."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.cluster import Cluster, create_task, wait_until
from tests.e2e.platform_listeners import webhook_receiver

pytestmark = pytest.mark.e2e
CITY = "520100000000"


def _stream(client: httpx.Client, frames: list[dict[str, Any]], stop: threading.Event) -> None:
    with client.stream("GET", "/api/v1/notifications/stream", headers={"accept": "text/event-stream"}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        name = ""
        for line in r.iter_lines():
            if stop.is_set():
                return
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                frames.append({"event": name, **json.loads(line[6:])})


def test_the_live_inbox_streams_through_the_gateway(distributed: Cluster) -> None:
    handler = distributed.client("county_handler")
    handler.timeout = httpx.Timeout(10, read=60)
    frames: list[dict[str, Any]] = []
    stop = threading.Event()
    reader = threading.Thread(target=_stream, args=(handler, frames, stop), daemon=True)
    reader.start()
    wait_until(lambda: any(f["event"] == "unread" for f in frames), 20, "the stream's first frame")
    before = handler.get("/api/v1/notifications/unread-count").json()["unread"]
    title = f"实时消息 {uuid.uuid4().hex[:6]}"
    assert create_task(distributed.client("province_office"), title=title).status_code == 201

    def arrived() -> dict[str, Any] | None:
        return next((f for f in frames if f["event"] == "notification" and title in f.get("title", "")), None)

    message = wait_until(arrived, 30, "the new message on the stream")
    assert message["kind"] == "task.assigned"
    assert handler.get("/api/v1/notifications/unread-count").json()["unread"] == before + 1
    marked = handler.post(f"/api/v1/notifications/{message['id']}/read")
    assert marked.status_code == 200 and marked.json()["read_at"]
    stop.set()


def test_a_webhook_subscriber_verifies_each_delivery_once(distributed: Cluster) -> None:
    with webhook_receiver() as (receiver, url):
        admin = distributed.client("admin")
        body = {
            "name": "公文系统",
            "url": url,
            "scope_org": CITY,
            "event_types": ["tasking.task.assigned.v1"],
        }
        created = admin.post("/api/v1/subscriptions", json=body)
        assert created.status_code == 201, created.text
        receiver.secret = created.json()["secret"]
        sid = created.json()["id"]
        handler = distributed.client("county_handler")
        assert handler.post("/api/v1/subscriptions", json=body).status_code == 403
        title = f"订阅推送 {uuid.uuid4().hex[:6]}"
        task = create_task(distributed.client("province_office"), title=title).json()
        wait_until(receiver.snapshot, 30, "the signed delivery")
        (event,) = receiver.snapshot()
        assert event["type"] == "tasking.task.assigned.v1" and event["data"]["task"]["task_id"] == task["id"]

        def logged() -> list[tuple[str, str]] | None:
            log = admin.get(f"/api/v1/subscriptions/{sid}/deliveries").json()["items"]
            pairs = [(d["id"], d["status"]) for d in log]
            return pairs if pairs and pairs[0][1] != "sending" else None  # marked once the answer is in

        outcome = wait_until(logged, 30, "the delivery's outcome in the log")
        assert outcome == [(receiver.delivery_ids[0], "delivered")]
        refused = admin.post("/api/v1/subscriptions", json=body | {"url": "http://169.254.169.254/latest"})
        assert refused.status_code == 422 and refused.json()["type"].endswith("unsafe-endpoint")


def test_only_the_inbox_is_on_in_the_embedded_mode(embedded: Cluster) -> None:
    handler = embedded.client("county_handler")
    mine = handler.get("/api/v1/notification-preferences/me")
    assert mine.status_code == 200 and mine.json()["available"] == ["in_app"]


def test_a_subscriber_never_gets_an_unannounced_inspection_of_its_subtree_early(distributed: Cluster) -> None:
    """A province-wide subscription holds both the inspecting office and the target: the 暗访's scheduled
    event is withheld; from ``conducted`` on, its events arrive."""
    with webhook_receiver() as (receiver, url):
        admin = distributed.client("admin")
        body = {
            "name": "政务云",
            "url": url,
            "scope_org": "520000000000",
            "event_types": ["supervision.inspection.*"],
        }
        created = admin.post("/api/v1/subscriptions", json=body)
        assert created.status_code == 201, created.text
        receiver.secret = created.json()["secret"]
        office = distributed.client("province_office")
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
        inspection = {
            "title": f"暗访 {uuid.uuid4().hex[:6]}",
            "kind": "unannounced",
            "subject_kind": "theme",
            "subject": "政务服务窗口作风",
            "target_orgs": ["520102000000"],
            "planned_start": today,
            "planned_end": today,
        }
        scheduled = office.post("/api/v1/inspections", json=inspection)
        assert scheduled.status_code == 201, scheduled.text
        iid = scheduled.json()["id"]
        conducted = office.post(
            f"/api/v1/inspections/{iid}/conduct", json={"conducted_on": today, "summary": "空岗"}
        )
        assert conducted.status_code == 200, conducted.text

        def arrived() -> list[dict[str, Any]]:
            return [e for e in receiver.snapshot() if e["subject"] == iid]

        ours = wait_until(arrived, 30, "the conducted inspection's delivery")
        time.sleep(2)  # the scheduled event was consumed first (same queue, earlier): it would be here by now
        types = [e["type"] for e in receiver.snapshot() if e["subject"] == iid]
        assert (
            "supervision.inspection.conducted.v1" in types
            and "supervision.inspection.scheduled.v1" not in types
        )
        assert ours
