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


def _signed_in(cluster: Cluster, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=cluster.url, timeout=10)
    token = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert token.status_code == 200, token.text
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return client


def test_notice_published_after_approval_is_immutable(distributed: Cluster) -> None:
    admin = distributed.client("admin")
    office = distributed.client("province_office")
    body = {
        "display_name": "省政府 主要负责同志",
        "org_code": PROVINCE,
        "roles": ["principal"],
        "username": "notice_principal",
        "password": "notice-principal-1",
    }
    assert admin.post("/api/v1/people", json=body).status_code == 201
    principal = _signed_in(distributed, "notice_principal", "notice-principal-1")
    public = httpx.Client(base_url=distributed.url, timeout=10)
    notice = {
        "kind": "commendation",
        "title": "关于南明区推进项目落地典型经验的通报",
        "body": "南明区建立项目专班, 提前完成年度任务, 现予通报表扬。",
        "items": [{"org_code": COUNTY, "unit_name": "南明区人民政府", "description": "项目专班提前完成任务"}],
    }
    _problem(office.post("/api/v1/notices", json={**notice, "kind": "award"}), 422, "validation")
    _problem(principal.post("/api/v1/notices", json=notice), 403, "forbidden")
    draft = office.post("/api/v1/notices", json=notice)
    assert draft.status_code == 201, draft.text
    path = f"/api/v1/notices/{draft.json()['id']}"
    assert office.post(f"{path}/submit").status_code == 200
    _problem(office.post(f"{path}/approve"), 403, "forbidden")
    approved = principal.post(f"{path}/approve")
    assert approved.status_code == 200 and approved.json()["state"] == "published", approved.text
    # On the portal, for anyone, without sign-in.
    listed = public.get("/api/v1/public/notices", params={"kind": "commendation"})
    assert listed.status_code == 200, listed.text
    assert draft.json()["id"] in [n["id"] for n in listed.json()["items"]]
    # Immutable: edits and deletion answer 409 (PUT is no method of a notice: 405), nothing changes.
    _problem(office.patch(path, json={"title": "改"}), 409, "notice-published")
    _problem(office.delete(path), 409, "notice-published")
    assert office.put(path, json=notice).status_code == 405
    assert public.post(f"/api/v1/public/notices/{draft.json()['id']}", json={}).status_code in (404, 405)
    assert office.get(path).json() == approved.json()
    # A correction is a new notice naming the old one.
    correction = office.post(
        "/api/v1/notices", json={**notice, "title": "更正通报", "corrects": draft.json()["id"]}
    )
    assert correction.status_code == 201, correction.text
    cpath = f"/api/v1/notices/{correction.json()['id']}"
    assert office.post(f"{cpath}/submit").status_code == 200
    assert principal.post(f"{cpath}/approve").status_code == 200
    shown = public.get(f"/api/v1/public/notices/{draft.json()['id']}").json()
    assert shown["corrected_by"] == [correction.json()["id"]]
