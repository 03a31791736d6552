"""Administrators create and change organisations within their subtree, and only there."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from luoshi_gateway.audit.models import AuditRecord
from luoshi_gateway.orgs.models import Org

from .conftest import CITY, COUNTY, SIBLING, assert_problem, count, headers_of, outbox_model


async def _snapshot(app: FastAPI) -> tuple[int, int, int]:
    outbox = outbox_model(app)
    return (
        await count(app, Org),
        await count(app, outbox, outbox.event_type == "gateway.org.upserted.v1"),
        await count(
            app, AuditRecord, AuditRecord.outcome == "success", AuditRecord.action.startswith("org.")
        ),
    )


async def test_city_admin_creates_a_department_under_its_county(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await headers_of(client, "city_admin")
    before = await _snapshot(app)
    response = await client.post(
        "/api/v1/orgs",
        headers=admin,
        json={"kind": "department", "parent_code": COUNTY, "name": "南明区大数据局"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["code"] == f"{COUNTY}D01" and body["level"] == "county" and body["parent_code"] == COUNTY
    # Stored, announced and audited together.
    assert await _snapshot(app) == (before[0] + 1, before[1] + 1, before[2] + 1)
    explicit = await client.post(
        "/api/v1/orgs",
        headers=admin,
        json={"kind": "department", "parent_code": COUNTY, "name": "南明区统计局", "code": f"{COUNTY}D07"},
    )
    assert explicit.status_code == 201, explicit.text
    children = await client.get(f"/api/v1/orgs/{COUNTY}/children", headers=admin)
    assert {o["code"] for o in children.json()["items"]} == {f"{COUNTY}D01", f"{COUNTY}D07"}


async def test_city_admin_cannot_create_under_a_sibling_city(client: httpx.AsyncClient, app: FastAPI) -> None:
    admin = await headers_of(client, "city_admin")
    before = await _snapshot(app)
    response = await client.post(
        "/api/v1/orgs", headers=admin, json={"kind": "department", "parent_code": SIBLING, "name": "外市部门"}
    )
    assert_problem(response, 404)
    assert await _snapshot(app) == before


async def test_non_admin_cannot_manage_organisations(client: httpx.AsyncClient, app: FastAPI) -> None:
    deputy = await headers_of(client, "city_deputy")
    before = await _snapshot(app)
    response = await client.post(
        "/api/v1/orgs", headers=deputy, json={"kind": "department", "parent_code": COUNTY, "name": "某局"}
    )
    assert_problem(response, 403)
    assert_problem(await client.patch(f"/api/v1/orgs/{COUNTY}", headers=deputy, json={"name": "改名"}), 403)
    assert await _snapshot(app) == before
    denials = await count(
        app, AuditRecord, AuditRecord.outcome == "denied", AuditRecord.actor_id == "u-city_deputy"
    )
    assert denials == 2


async def test_government_codes_must_extend_the_parent(client: httpx.AsyncClient, app: FastAPI) -> None:
    admin = await headers_of(client, "city_admin")
    township = await client.post(
        "/api/v1/orgs",
        headers=admin,
        json={"kind": "government", "parent_code": COUNTY, "name": "某街道", "code": "520102005000"},
    )
    assert township.status_code == 201, township.text
    assert township.json()["level"] == "township"
    before = await _snapshot(app)
    bad = [
        {"kind": "government", "parent_code": COUNTY, "name": "x", "code": "520103005000"},  # another county
        {"kind": "government", "parent_code": CITY, "name": "x", "code": "520102005000"},  # skips a level
        {"kind": "government", "parent_code": COUNTY, "name": "x", "code": "520102005001"},  # a village
        {"kind": "government", "parent_code": COUNTY, "name": "x"},  # no code
        {"kind": "department", "parent_code": COUNTY, "name": "x", "code": "520100000000D01"},  # another gov
        {"kind": "department", "parent_code": COUNTY, "name": "x", "code": f"{COUNTY}D00"},
        {"kind": "government", "parent_code": "520102005000", "name": "x", "code": "520102005001"},
    ]
    for payload in bad:
        assert_problem(await client.post("/api/v1/orgs", headers=admin, json=payload), 422)
    dup = {"kind": "government", "parent_code": COUNTY, "name": "x", "code": "520102005000"}
    assert_problem(await client.post("/api/v1/orgs", headers=admin, json=dup), 409)
    assert await _snapshot(app) == before


async def test_bad_input_on_org_writes(client: httpx.AsyncClient, app: FastAPI) -> None:
    admin = await headers_of(client, "city_admin")
    before = await _snapshot(app)
    for payload in (
        {},
        {"kind": "ministry", "parent_code": COUNTY, "name": "x"},
        {"kind": "department", "parent_code": "52", "name": "x"},
        {"kind": "department", "parent_code": COUNTY, "name": ""},
        {"kind": "department", "parent_code": COUNTY, "name": "x" * 201},
        {"kind": "department", "parent_code": COUNTY, "name": "x", "extra": 1},
    ):
        assert_problem(await client.post("/api/v1/orgs", headers=admin, json=payload), 422)
    assert_problem(await client.post("/api/v1/orgs", headers=admin, content=b"{not json"), 422)
    patches: list[dict[str, object]] = [{"name": ""}, {"active": "perhaps"}, {"name": None}, {"code": "5201"}]
    for patch in patches:
        assert_problem(await client.patch(f"/api/v1/orgs/{COUNTY}", headers=admin, json=patch), 422)
    assert await _snapshot(app) == before


async def test_rename_and_deactivate(client: httpx.AsyncClient, app: FastAPI) -> None:
    admin = await headers_of(client, "city_admin")
    renamed = await client.patch(f"/api/v1/orgs/{COUNTY}", headers=admin, json={"name": "南明区政府"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "南明区政府"
    # A government with active children cannot be deactivated; its own admin cannot deactivate it.
    assert_problem(await client.patch(f"/api/v1/orgs/{CITY}", headers=admin, json={"active": False}), 409)
    off = await client.patch(f"/api/v1/orgs/{COUNTY}", headers=admin, json={"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    # No new units under a deactivated one; no hard delete exists.
    response = await client.post(
        "/api/v1/orgs", headers=admin, json={"kind": "department", "parent_code": COUNTY, "name": "x"}
    )
    assert_problem(response, 409)
    assert (await client.delete(f"/api/v1/orgs/{COUNTY}", headers=admin)).status_code in (404, 405)
    assert await count(app, Org, Org.code == COUNTY) == 1
    outbox = outbox_model(app)
    assert (
        await count(app, outbox, outbox.body.contains(f'"subject":"{COUNTY}"')) == 3
    )  # seed, rename, deactivate
    assert_problem(await client.patch(f"/api/v1/orgs/{SIBLING}", headers=admin, json={"name": "x"}), 404)
