"""``luoshi demo`` against the embedded default (issue 15): it loads tasks of every state and colour
through the API, the API then shows exactly the plan's counts, and a second run refuses."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from typing import Any

import httpx
import pytest

from luoshi_cli.demo.main import SMALL
from luoshi_cli.demo.plan import CYCLE, scenario
from tests.e2e.cluster import Cluster, wait_until

pytestmark = pytest.mark.e2e


def _demo(cluster: Cluster) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "luoshi_cli.main", "demo", "--small"]
    cmd += ["--url", cluster.url, "--data-dir", str(cluster.data_dir)]
    return subprocess.run(
        cmd, env={**os.environ, **cluster.env}, capture_output=True, text=True, timeout=600, check=False
    )


def _all_tasks(client: httpx.Client) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = client.get("/api/v1/tasks", params={"limit": 200, "offset": len(items)}).json()
        items += page["items"]
        if len(items) >= page["total"]:
            return items


def _expected() -> tuple[int, Counter[str], Counter[str]]:
    # The order the loader takes its jobs in: province→city, then per county its tasks and its townships'.
    county_jobs = SMALL.city_to_county + SMALL.townships_per_county * SMALL.county_to_township
    count = SMALL.cities * (SMALL.province_to_city + SMALL.counties_per_city * county_jobs)
    planned = [scenario(i) for i in range(count)]
    return count, Counter(s.state for s in planned), Counter(s.colour for s in planned)


def test_demo_loads_every_state_and_colour_once(embedded: Cluster) -> None:
    done = _demo(embedded)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "演示数据已载入" in done.stdout

    office = embedded.client("province_office")
    count, states, colours = _expected()
    decomposed = 1 + 2 * SMALL.counties_per_city + 1  # the parent, two quarters × two counties, a township's
    tasks = _all_tasks(office)
    assert len(tasks) == count + decomposed
    by_state = Counter(t["state"] for t in tasks)
    assert by_state == states + Counter({"accepted": decomposed})
    by_colour = Counter(t["status"]["colour"] for t in tasks)
    assert by_colour["red"] == colours["red"] and by_colour["yellow"] >= colours["yellow"]
    # The provincial tier alone shows every state and every colour of the cycle.
    tier = [t for t in tasks if t["issuing_org"] == "520000000000" and t["parent_id"] is None]
    assert {t["state"] for t in tier} == {s.state for s in CYCLE}
    assert {t["status"]["colour"] for t in tier} == {"green", "yellow", "red"}
    # Decomposition down to a township, and its progress rolled up.
    subtasks = [t for t in tasks if t["parent_id"]]
    assert subtasks and all(t["lead_unit"][4:6] != "00" for t in subtasks)  # counties and below
    assert any(t["lead_unit"][9:] == "000" and t["lead_unit"][6:9] != "000" for t in subtasks)
    # Reports, extensions (one approved, one pending late request), urges and the overdue orders.
    extended = [t for t in tasks if t["extension_count"] == 1]
    assert extended and all(t["status"]["colour"] != "red" for t in extended)
    assert sum(1 for t in tasks if t["last_report_at"]) >= states["completed"] + states["closed"]
    urges = office.get("/api/v1/urges", params={"limit": 200}).json()["items"]
    assert sum(1 for u in urges if u["kind"] == "urge") == colours["yellow"]
    overdue = {t["id"] for t in tasks if t["status"]["overdue"]}
    assert len(overdue) == colours["red"]
    wait_until(
        lambda: (
            overdue
            <= {u["task_id"] for u in office.get("/api/v1/urges", params={"limit": 200}).json()["items"]}
        ),
        60,
        "an automatic 督办 for every overdue task",
        interval=1,
    )
    # The accounts it enabled sign in with the demo password.
    assert embedded.client("520100_office").get("/api/v1/auth/me").json()["org_code"] == "520100000000"

    again = _demo(embedded)
    assert again.returncode == 1 and "已载入" in again.stderr, again.stdout + again.stderr
    assert len(_all_tasks(office)) == count + decomposed
