"""Issue 11 (part B) end to end through the gateway: the public portal's clue intake (no sign-in) —
validation, size and rate limits with nothing written, the receipt lookup that reveals nothing without its
secret, triage by the office and the reporter's answer (事事有回音)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.cluster import Cluster

pytestmark = pytest.mark.e2e
PROVINCE, COUNTY = "520000000000", "520102000000"


def _problem(response: httpx.Response, status: int, slug: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    if slug:
        assert body["type"] == f"urn:luoshi:problem:{slug}", body
    return body


def _clue(**overrides: Any) -> dict[str, Any]:
    return {
        "org_code": PROVINCE,
        "category": "落实不力",
        "content": "南明区某安置房项目承诺年底交房, 至今停工, 无人答复。",
        "channel": "wechat",
        "reporter_name": "李四",
        "reporter_contact": "13900000000",
        **overrides,
    }


def _total(office: httpx.Client) -> int:
    total: int = office.get("/api/v1/clues", params={"limit": 1}).json()["total"]
    return total


def test_public_clue_intake_lookup_and_triage(distributed: Cluster) -> None:
    public = httpx.Client(base_url=distributed.url, timeout=10)  # nobody signed in
    office = distributed.client("province_office")
    before = _total(office)

    # Bad and oversized input: 4xx problem+json, nothing written.
    for body in (
        _clue(org_code="5200"),
        _clue(content="短"),
        _clue(content="长" * 5001),
        _clue(channel="fax"),
    ):
        _problem(public.post("/api/v1/public/clues", json=body), 422, "validation")
    huge = b'{"content":"' + b"a" * (2 * 1024 * 1024) + b'"}'
    _problem(
        public.post("/api/v1/public/clues", content=huge, headers={"content-type": "application/json"}), 413
    )
    assert _total(office) == before

    # A clue in; the receipt shows its status only with the secret.
    submitted = public.post("/api/v1/public/clues", json=_clue())
    assert submitted.status_code == 201, submitted.text
    receipt = submitted.json()
    lookup = {"receipt_no": receipt["receipt_no"], "secret": receipt["secret"]}
    status = public.post("/api/v1/public/clues/status", json=lookup)
    assert status.status_code == 200 and status.json()["status"] == "received", status.text
    wrong = _problem(public.post("/api/v1/public/clues/status", json={**lookup, "secret": "x"}), 404)
    none = _problem(
        public.post("/api/v1/public/clues/status", json={**lookup, "receipt_no": "XS20260101ABCDEFGH"}), 404
    )
    assert (wrong["type"], wrong["detail"]) == (none["type"], none["detail"])
    # The office reads it with the reporter; the internal list is not public.
    _problem(public.get("/api/v1/clues"), 401)
    clue = next(
        c for c in office.get("/api/v1/clues").json()["items"] if c["receipt_no"] == receipt["receipt_no"]
    )
    assert (clue["reporter_name"], clue["channel"]) == ("李四", "wechat")
    assert distributed.client("city_deputy").get(f"/api/v1/clues/{clue['id']}").status_code == 404

    # Referred down to 南明区: the reporter is told.
    referred = office.post(
        f"/api/v1/clues/{clue['id']}/triage", json={"outcome": "referral", "referred_to": COUNTY}
    )
    assert referred.status_code == 200, referred.text
    told = public.post("/api/v1/public/clues/status", json=lookup).json()
    assert (told["status"], told["outcome"]) == ("referred", "referral")
    assert "李四" not in str(told)


def test_flooding_one_address_is_refused(distributed: Cluster) -> None:
    """The gateway believes X-Forwarded-For from 127.0.0.1 here (LUOSHI_TRUSTED_PROXIES in conftest), so
    this test floods from an address of its own; LUOSHI_CLUE_RATE_PER_HOUR is 100 in the suite."""
    flood = httpx.Client(base_url=distributed.url, timeout=10, headers={"X-Forwarded-For": "198.51.100.77"})
    office = distributed.client("province_office")
    statuses = [flood.post("/api/v1/public/clues", json=_clue()).status_code for _ in range(101)]
    assert statuses.count(201) == 100 and statuses[-1] == 429, statuses
    before = _total(office)
    _problem(flood.post("/api/v1/public/clues", json=_clue()), 429, "too-many-clues")
    assert _total(office) == before
    other = httpx.Client(base_url=distributed.url, timeout=10, headers={"X-Forwarded-For": "198.51.100.78"})
    assert other.post("/api/v1/public/clues", json=_clue()).status_code == 201
