"""Cross-service views at the gateway, fed by events: a task's timeline and a subtree's dashboard."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.cluster import Cluster, create_task, wait_until

pytestmark = pytest.mark.e2e


def test_timeline_and_dashboard_follow_events(distributed: Cluster) -> None:
    office = distributed.client("province_office")
    task = create_task(office, title="建设山地特色新型城镇化示范点").json()

    def timeline() -> dict[str, Any] | None:
        response = office.get(f"/api/v1/tasks/{task['id']}/timeline")
        return response.json() if response.status_code == 200 else None

    view = wait_until(timeline, 10, "the timeline to show the assignment")
    assert [i["event_type"] for i in view["items"]] == ["tasking.task.assigned.v1"]
    assert view["items"][0]["actor_id"] == "u-province_office" and view["state"] == "assigned"

    # Visible down the tree to whoever sees the lead unit; an unknown or hidden task is 404.
    assert distributed.client("county_handler").get(f"/api/v1/tasks/{task['id']}/timeline").status_code == 200
    assert office.get("/api/v1/tasks/00000000-0000-0000-0000-000000000000/timeline").status_code == 404

    board = office.get("/api/v1/dashboard", params={"org": "520100000000"}).json()
    nanming = next(c for c in board["children"] if c["org_code"] == "520102000000")
    assert board["by_state"].get("assigned", 0) >= 1 and nanming["tasks"] >= 1
    # The city deputy may see 贵阳市's board but not the province's nor a sibling city's.
    deputy = distributed.client("city_deputy")
    assert deputy.get("/api/v1/dashboard", params={"org": "520100000000"}).status_code == 200
    assert deputy.get("/api/v1/dashboard", params={"org": "520000000000"}).status_code == 404
    assert deputy.get("/api/v1/dashboard", params={"org": "520200000000"}).status_code == 404
    other_city_task = create_task(office, title="六盘水任务", lead_unit="520201000000").json()
    wait_until(
        lambda: office.get(f"/api/v1/tasks/{other_city_task['id']}/timeline").status_code == 200,
        10,
        "the second timeline",
    )
    assert deputy.get(f"/api/v1/tasks/{other_city_task['id']}/timeline").status_code == 404
