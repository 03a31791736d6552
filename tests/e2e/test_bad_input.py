"""Bad input to POST /api/v1/tasks gets a 4xx problem+json and writes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.cluster import Cluster

pytestmark = pytest.mark.e2e

VALID: dict[str, Any] = {"title": "推进乡村振兴", "lead_unit": "520102000000", "deadline": "2099-06-30"}

CASES: dict[str, tuple[Any, int, str]] = {
    "missing title": ({k: v for k, v in VALID.items() if k != "title"}, 422, "validation"),
    "missing lead unit": ({k: v for k, v in VALID.items() if k != "lead_unit"}, 422, "validation"),
    "missing deadline": ({k: v for k, v in VALID.items() if k != "deadline"}, 422, "validation"),
    "title of wrong type": ({**VALID, "title": 42}, 422, "validation"),
    "deadline not a date": ({**VALID, "deadline": "next friday"}, 422, "validation"),
    "co-units not a list": ({**VALID, "co_units": "520103000000"}, 422, "validation"),
    "malformed org code": ({**VALID, "lead_unit": "52-01"}, 422, "validation"),
    "unknown org": ({**VALID, "lead_unit": "520199000000"}, 422, "unknown-org"),
    "unknown co-unit": ({**VALID, "co_units": ["529999000000"]}, 422, "unknown-org"),
    "deadline in the past": ({**VALID, "deadline": "2020-01-01"}, 422, "deadline-in-past"),
    "oversized title": ({**VALID, "title": "长" * 201}, 422, "validation"),
    "oversized description": ({**VALID, "description": "字" * 5001}, 422, "validation"),
    "empty title": ({**VALID, "title": "   "}, 422, "validation"),
    "unexpected field": ({**VALID, "state": "closed"}, 422, "validation"),
    "lead unit also co-unit": ({**VALID, "co_units": ["520102000000"]}, 422, "lead-unit-is-co-unit"),
    "assigning upward": ({**VALID, "lead_unit": "520000000000"}, 422, "assign-outside-subtree"),
}


def _total(client: httpx.Client) -> int:
    return int(client.get("/api/v1/tasks", params={"limit": 1, "total": "true"}).json()["total"])


@pytest.mark.parametrize("case", list(CASES))
def test_bad_task_input_is_refused_and_writes_nothing(distributed: Cluster, case: str) -> None:
    body, status, slug = CASES[case]
    office = distributed.client("province_office")
    before = _total(office)
    response = office.post("/api/v1/tasks", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert (
        problem["type"] == f"urn:luoshi:problem:{slug}" and problem["status"] == status and problem["title"]
    )
    assert _total(office) == before


def test_not_json_is_refused(distributed: Cluster) -> None:
    office = distributed.client("province_office")
    response = office.post(
        "/api/v1/tasks", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422 and response.headers["content-type"].startswith(
        "application/problem+json"
    )


def test_handler_may_not_assign(distributed: Cluster) -> None:
    response = distributed.client("county_handler").post(
        "/api/v1/tasks", json={**VALID, "lead_unit": "520102001000"}
    )
    assert response.status_code == 403
    assert response.json()["type"] == "urn:luoshi:problem:forbidden"


def test_without_sign_in_is_401(distributed: Cluster) -> None:
    response = distributed.client().post("/api/v1/tasks", json=VALID)
    assert response.status_code == 401 and response.headers["content-type"].startswith(
        "application/problem+json"
    )


def test_service_called_directly_refuses(distributed: Cluster) -> None:
    """Reached without the gateway's signed identity, a service refuses — even with a user's token."""
    token = distributed.client("province_office").headers["Authorization"]
    direct = httpx.post(
        f"{distributed.service_url('tasking')}/api/v1/tasks", json=VALID, headers={"Authorization": token}
    )
    assert direct.status_code == 401
    forged = httpx.get(
        f"{distributed.service_url('notification')}/api/v1/notifications",
        headers={"X-Luoshi-Identity": "eyJhbGciOiJub25lIn0.e30."},
    )
    assert forged.status_code == 401
