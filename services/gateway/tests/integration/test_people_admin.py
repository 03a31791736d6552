"""Administrators manage the people of their subtree; the office reads them; others are refused."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from luoshi_gateway.audit.models import AuditRecord
from luoshi_gateway.people.models import Person

from .conftest import (
    CITY,
    COUNTY,
    PASSWORD,
    SIBLING,
    assert_problem,
    count,
    headers_of,
    outbox_model,
    sign_in,
)

DEPUTY = {
    "display_name": "张副区长",
    "org_code": COUNTY,
    "roles": ["deputy"],
    "username": "zhang_fq",
    "password": "first-password-1",
    "overseen_areas": ["教育", "卫生健康"],
}


async def _snapshot(app: FastAPI) -> tuple[int, int]:
    outbox = outbox_model(app)
    return await count(app, Person), await count(
        app, outbox, outbox.event_type == "gateway.person.upserted.v1"
    )


async def test_admin_creates_reads_and_changes_a_person(client: httpx.AsyncClient, app: FastAPI) -> None:
    admin = await headers_of(client, "city_admin")
    created = await client.post("/api/v1/people", headers=admin, json=DEPUTY)
    assert created.status_code == 201, created.text
    person = created.json()
    assert person["overseen_areas"] == ["教育", "卫生健康"] and "password" not in person
    assert (await sign_in(client, "zhang_fq", "first-password-1")).status_code == 200

    listed = await client.get(f"/api/v1/people?org={COUNTY}", headers=admin)
    assert {p["username"] for p in listed.json()["items"]} == {"county_admin", "county_handler", "zhang_fq"}
    subtree = (await client.get(f"/api/v1/people?org={CITY}&subtree=true", headers=admin)).json()
    assert len(subtree["items"]) == 5 and subtree["total"] == 5 and subtree["next_offset"] is None
    first = (await client.get(f"/api/v1/people?org={CITY}&subtree=true&limit=2", headers=admin)).json()
    assert len(first["items"]) == 2 and first["total"] == 5 and first["next_offset"] == 2
    assert_problem(await client.get(f"/api/v1/people?offset={2**63}", headers=admin), 422)
    assert (await client.get(f"/api/v1/people/{person['id']}", headers=admin)).status_code == 200

    changed = await client.patch(
        f"/api/v1/people/{person['id']}",
        headers=admin,
        json={"roles": ["deputy", "inspector"], "inspector_type": "part_time", "org_code": CITY},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["org_code"] == CITY and changed.json()["inspector_type"] == "part_time"
    outbox = outbox_model(app)
    assert await count(app, outbox, outbox.body.contains(f'"subject":"{person["id"]}"')) == 2
    actions = await count(
        app, AuditRecord, AuditRecord.target_id == person["id"], AuditRecord.outcome == "success"
    )
    assert actions == 2


async def test_passwords_reset_by_admin_changed_by_oneself(client: httpx.AsyncClient, app: FastAPI) -> None:
    admin = await headers_of(client, "city_admin")
    reset = await client.post(
        "/api/v1/people/u-county_handler/password", headers=admin, json={"new_password": "reset-by-admin-1"}
    )
    assert reset.status_code == 204, reset.text
    assert_problem(await sign_in(client, "county_handler"), 401)
    own = await headers_of_password(client, "county_handler", "reset-by-admin-1")
    wrong = await client.post(
        "/api/v1/people/u-county_handler/password",
        headers=own,
        json={"old_password": "not-it-at-all", "new_password": "mine-now-12345"},
    )
    assert_problem(wrong, 403)
    ok = await client.post(
        "/api/v1/people/u-county_handler/password",
        headers=own,
        json={"old_password": "reset-by-admin-1", "new_password": "mine-now-12345"},
    )
    assert ok.status_code == 204, ok.text
    assert (await sign_in(client, "county_handler", "mine-now-12345")).status_code == 200
    # A handler cannot reset a colleague's password.
    other = await client.post(
        "/api/v1/people/u-county_admin/password", headers=own, json={"new_password": "taken-over-123"}
    )
    assert_problem(other, 403)
    assert (await sign_in(client, "county_admin")).status_code == 200


async def headers_of_password(client: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    response = await sign_in(client, username, password)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_non_admin_cannot_manage_people(client: httpx.AsyncClient, app: FastAPI) -> None:
    deputy = await headers_of(client, "city_deputy")
    before = await _snapshot(app)
    assert_problem(await client.post("/api/v1/people", headers=deputy, json=DEPUTY), 403)
    patch = await client.patch("/api/v1/people/u-county_handler", headers=deputy, json={"roles": ["admin"]})
    assert_problem(patch, 403)
    assert_problem(await client.get(f"/api/v1/people?org={COUNTY}", headers=deputy), 403)
    assert_problem(await client.get("/api/v1/people/u-county_handler", headers=deputy), 403)
    assert (await client.get("/api/v1/people/u-city_deputy", headers=deputy)).status_code == 200  # oneself
    assert await _snapshot(app) == before


async def test_office_reads_people_of_its_subtree(client: httpx.AsyncClient) -> None:
    office = await headers_of(client, "office")
    assert (await client.get(f"/api/v1/people?org={COUNTY}", headers=office)).status_code == 200
    assert (await client.get("/api/v1/people/u-county_handler", headers=office)).status_code == 200
    assert_problem(await client.post("/api/v1/people", headers=office, json=DEPUTY), 403)


async def test_admin_scope_ends_at_its_subtree(client: httpx.AsyncClient, app: FastAPI) -> None:
    county_admin = await headers_of(client, "county_admin")
    before = await _snapshot(app)
    assert_problem(
        await client.post("/api/v1/people", headers=county_admin, json=DEPUTY | {"org_code": CITY}), 404
    )
    assert_problem(await client.get("/api/v1/people/u-city_deputy", headers=county_admin), 404)
    assert_problem(await client.get("/api/v1/people/u-no-such", headers=county_admin), 404)
    assert_problem(await client.patch("/api/v1/people/u-sibling_admin", headers=county_admin, json={}), 404)
    assert_problem(
        await client.patch(
            "/api/v1/people/u-county_handler", headers=county_admin, json={"org_code": SIBLING}
        ),
        404,
    )
    assert_problem(await client.get(f"/api/v1/people?org={CITY}", headers=county_admin), 404)
    assert await _snapshot(app) == before


async def test_bad_input_on_people_writes(client: httpx.AsyncClient, app: FastAPI) -> None:
    admin = await headers_of(client, "city_admin")
    before = await _snapshot(app)
    bad_creates = [
        {},
        DEPUTY | {"roles": []},
        DEPUTY | {"roles": ["emperor"]},
        DEPUTY | {"org_code": "5201"},
        DEPUTY | {"org_code": "520102999000"},  # no such organisation: 404
        DEPUTY | {"username": "a b"},
        DEPUTY | {"password": "short"},
        DEPUTY | {"display_name": ""},
        DEPUTY | {"roles": ["handler"]},  # overseen areas without the deputy role
        DEPUTY | {"roles": ["inspector"], "overseen_areas": []},  # inspector without a type
        DEPUTY | {"roles": ["representative"], "overseen_areas": [], "representative_type": "mayor"},
        DEPUTY | {"roles": ["assessor"], "overseen_areas": [], "assessor_assignment": "A-1"},  # no window
        DEPUTY
        | {
            "roles": ["assessor"],
            "overseen_areas": [],
            "assessor_assignment": "A-1",
            "assessor_valid_from": "2027-02-01T00:00:00+08:00",
            "assessor_valid_to": "2027-01-01T00:00:00+08:00",
        },
        DEPUTY | {"username": "county_handler"},  # taken: 409
        DEPUTY | {"unknown": 1},
    ]
    for payload in bad_creates:
        response = await client.post("/api/v1/people", headers=admin, json=payload)
        assert 400 <= response.status_code < 500, (payload, response.text)
        assert_problem(response, response.status_code)
    bad_patches = [
        {"roles": []},
        {"roles": None},
        {"active": None},
        {"inspector_type": "full_time"},  # not an inspector
        {"org_code": "x"},
        {"password_hash": "x"},
    ]
    for payload in bad_patches:
        response = await client.patch("/api/v1/people/u-county_handler", headers=admin, json=payload)
        assert 400 <= response.status_code < 500, (payload, response.text)
        assert_problem(response, response.status_code)
    for payload in ({}, {"new_password": "short"}, {"new_password": "x" * 200}):
        response = await client.post("/api/v1/people/u-county_handler/password", headers=admin, json=payload)
        assert_problem(response, 422)
    assert await _snapshot(app) == before
    assert (await sign_in(client, "county_handler", PASSWORD)).status_code == 200


async def test_admin_cannot_lock_themself_out(client: httpx.AsyncClient) -> None:
    admin = await headers_of(client, "city_admin")
    for payload in ({"active": False}, {"roles": ["handler"]}):
        assert_problem(await client.patch("/api/v1/people/u-city_admin", headers=admin, json=payload), 409)
