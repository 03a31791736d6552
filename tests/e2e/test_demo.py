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
from luoshi_cli.demo.oversight import quarter_of
from luoshi_cli.demo.plan import CYCLE, login_name, scenario
from luoshi_kit.timebase import business_today
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
    # The dashboard's yellow (滞后) figure is the task list's: each lagging task reported while behind.
    yellow = by_colour["yellow"]

    def dashboard_yellow() -> bool:
        board = office.get("/api/v1/dashboard", params={"org": "520000000000"}).json()
        return board["by_colour"].get("yellow", 0) == board["lagging"] == yellow

    wait_until(dashboard_yellow, 60, f"{yellow} yellow tasks on the dashboard", interval=1)
    _oversight(embedded, office)
    # The accounts it enabled sign in with the demo password.
    assert embedded.client("520100_office").get("/api/v1/auth/me").json()["org_code"] == "520100000000"

    again = _demo(embedded)
    assert again.returncode == 1 and "已载入" in again.stderr, again.stdout + again.stderr
    assert len(_all_tasks(office)) == count + decomposed


def _oversight(cluster: Cluster, office: httpx.Client) -> None:
    """Inspections (one 暗访 still hidden from its target), rectification, self-checks, the published
    rankings on the public portal and the best city's exemption: all through the API."""
    inspections = office.get("/api/v1/inspections", params={"limit": 200}).json()["items"]
    kinds = Counter((i["kind"], i["state"]) for i in inspections)
    assert kinds == Counter(
        {("special", "conducted"): 1, ("unannounced", "conducted"): 1, ("unannounced", "planned"): 1}
    )
    hidden = next(i for i in inspections if i["state"] == "planned")
    assert hidden["target_orgs"] == ["520103000000"]  # 云岩区, as the README says
    county = cluster.client(login_name(hidden["target_orgs"][0], "office"))
    assert county.get(f"/api/v1/inspections/{hidden['id']}").status_code == 404
    items = office.get("/api/v1/rectifications", params={"limit": 200}).json()["items"]
    assert sorted((r["state"], r["listed"]) for r in items) == [("submitted", True), ("verified", False)], (
        items
    )
    period = quarter_of(business_today())
    checks = office.get("/api/v1/self-checks", params={"period": period, "limit": 200}).json()
    assert checks["total"] == SMALL.cities * (1 + SMALL.counties_per_city)
    anonymous = httpx.Client(base_url=cluster.url, timeout=10)
    for scope in ("520000000000", "520100000000"):
        public = anonymous.get("/api/v1/public/rankings", params={"scope_org": scope, "period": period})
        assert public.status_code == 200 and public.json()["total"] == 1, public.text
    ranking = anonymous.get("/api/v1/public/rankings", params={"scope_org": "520000000000"}).json()["items"][
        0
    ]
    best = min(ranking["lines"], key=lambda line: line["position"])["org_code"]
    grants = office.get("/api/v1/exemption-grants").json()["items"]
    assert [g["org_code"] for g in grants] == [best]
