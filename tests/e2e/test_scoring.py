"""Issue 12 end to end through the gateway, in both modes: a task closed on time scores its lead unit, the
city's ranking is a draft until its principal approves it, then published on the public portal (no sign-in)
and on the dashboard; bad input is a 4xx problem and writes nothing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.cluster import Cluster, create_task, wait_until

pytestmark = pytest.mark.e2e
CITY, COUNTY = "520100000000", "520102000000"
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()
QUARTER = f"{TODAY.year}Q{(TODAY.month - 1) // 3 + 1}"
PASSWORD = "scoring-e2e-password-1"


def _person(cluster: Cluster, admin: httpx.Client, org: str, role: str) -> httpx.Client:
    username = f"scoring_{role}_{uuid.uuid4().hex[:6]}"
    body = {
        "display_name": f"积分 {role}",
        "org_code": org,
        "roles": [role],
        "username": username,
        "password": PASSWORD,
    }
    assert admin.post("/api/v1/people", json=body).status_code == 201
    client = httpx.Client(base_url=cluster.url, timeout=10)
    token = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert token.status_code == 200, token.text
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return client


def _standing(client: httpx.Client, org: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/points/standings/{org}", params={"period": QUARTER})
    assert response.status_code == 200, response.text
    return response.json()


def _flow(cluster: Cluster) -> None:
    office = cluster.client("province_office")
    handler = cluster.client("county_handler")
    admin = cluster.client("admin")
    deputy = cluster.client("city_deputy")
    principal = _person(cluster, admin, CITY, "principal")
    before = float(_standing(office, COUNTY)["standing"]["points"])

    task = create_task(
        office, title="积分端到端", deadline=TODAY.replace(year=TODAY.year + 1).isoformat()
    ).json()
    path = f"/api/v1/tasks/{task['id']}"
    assert handler.post(f"{path}/accept").status_code == 200
    assert handler.post(f"{path}/complete").status_code == 200
    assert office.post(f"{path}/review", json={"decision": "approve"}).status_code == 200

    def scored() -> dict[str, Any] | None:
        page = _standing(handler, COUNTY)  # a unit sees its own standing page
        rows = [e for e in page["entries"]["items"] if e["task_id"] == task["id"]]
        return page if rows else None

    page = wait_until(scored, 30, "the close-out to be scored")
    assert float(page["standing"]["points"]) == before + 3
    entry = next(e for e in page["entries"]["items"] if e["task_id"] == task["id"])
    assert entry["rule_code"] == "task_closed_on_time" and "积分端到端" in entry["basis"]

    # Bad input: a problem, nothing written.
    bad = office.post("/api/v1/points/entries", json={"org_code": COUNTY, "points": "abc", "basis": "依据"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    assert _standing(office, COUNTY)["standing"] == page["standing"]

    def drafted() -> dict[str, Any] | None:
        made = deputy.post("/api/v1/rankings", json={"scope_org": CITY, "tier": "county", "period": QUARTER})
        if made.status_code == 409:
            listed = deputy.get("/api/v1/rankings", params={"scope_org": CITY, "period": QUARTER}).json()
            return deputy.get(f"/api/v1/rankings/{listed['items'][0]['id']}").json()
        return made.json() if made.status_code == 201 else None

    ranking = wait_until(drafted, 30, "the city's draft ranking")
    rid = ranking["id"]
    assert ranking["state"] == "draft" and any(x["org_code"] == COUNTY for x in ranking["lines"])
    anonymous = httpx.Client(base_url=cluster.url, timeout=10)
    assert anonymous.get(f"/api/v1/public/rankings/{rid}").status_code == 404
    assert handler.get(f"/api/v1/rankings/{rid}").status_code == 404  # a draft stays inside the government
    assert principal.post(f"/api/v1/rankings/{rid}/publish").status_code == 409  # approval first
    assert deputy.post(f"/api/v1/rankings/{rid}/approve").status_code == 403
    assert principal.post(f"/api/v1/rankings/{rid}/approve").status_code == 200
    published = principal.post(f"/api/v1/rankings/{rid}/publish")
    assert published.status_code == 200, published.text
    county_line = next(x for x in published.json()["lines"] if x["org_code"] == COUNTY)

    public = anonymous.get("/api/v1/public/rankings", params={"scope_org": CITY, "period": QUARTER})
    assert public.status_code == 200 and [r["id"] for r in public.json()["items"]] == [rid]

    def on_dashboard() -> dict[str, Any] | None:
        board = office.get("/api/v1/dashboard", params={"org": CITY}).json()
        child = next(c for c in board["children"] if c["org_code"] == COUNTY)
        return child if child["ranking_period"] == QUARTER else None  # earlier rankings may show first

    child = wait_until(on_dashboard, 30, "the published rank on the dashboard")
    assert child["rank"] == county_line["rank"] and child["points"] == float(county_line["points"])


def test_scoring_through_the_gateway(distributed: Cluster) -> None:
    _flow(distributed)


def test_scoring_through_the_gateway_embedded(embedded: Cluster) -> None:
    _flow(embedded)
