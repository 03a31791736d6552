"""The audit trail: sign-ins, denials and administrative changes, readable by admins of the scope."""

from __future__ import annotations

import httpx

from .conftest import COUNTY, PROVINCE, assert_problem, headers_of, sign_in


async def test_audit_records_sign_ins_denials_and_changes(client: httpx.AsyncClient) -> None:
    assert_problem(await sign_in(client, "county_handler", "wrong-password"), 401)
    assert_problem(await sign_in(client, "no_such_user", "wrong-password"), 401)
    handler = await headers_of(client, "county_handler")
    assert_problem(await client.get("/api/v1/audit", headers=handler), 403)  # a denial
    admin = await headers_of(client, "admin")
    created = await client.post(
        "/api/v1/orgs",
        headers=admin,
        json={"kind": "department", "parent_code": COUNTY, "name": "南明区审计局"},
    )
    assert created.status_code == 201

    page = (await client.get("/api/v1/audit?limit=100", headers=admin)).json()
    rows = page["items"]
    assert page["total"] == len(rows) and page["offset"] == 0
    by_action = {(r["action"], r["outcome"], r["actor_username"]) for r in rows}
    assert ("auth.sign_in", "failure", "county_handler") in by_action
    assert ("auth.sign_in", "failure", "no_such_user") in by_action  # unplaced: the province sees it
    assert ("auth.sign_in", "success", "county_handler") in by_action
    assert ("audit.read", "denied", "county_handler") in by_action
    change = next(r for r in rows if r["action"] == "org.create")
    assert change["actor_id"] == "u-admin" and change["target_id"] == f"{COUNTY}D01"
    assert change["ip"] and change["route"] == "POST /api/v1/orgs"
    failure = next(r for r in rows if r["actor_username"] == "county_handler" and r["outcome"] == "failure")
    assert failure["actor_org"] == COUNTY and failure["user_agent"]

    only = (await client.get("/api/v1/audit?action=org.create", headers=admin)).json()["items"]
    assert [r["action"] for r in only] == ["org.create"]
    future = (await client.get("/api/v1/audit?since=2999-01-01T00:00:00Z", headers=admin)).json()
    assert future["items"] == [] and future["total"] == 0


async def test_county_admin_reads_only_its_subtree(client: httpx.AsyncClient) -> None:
    await headers_of(client, "admin")  # a province sign-in: a province row
    await headers_of(client, "county_handler")
    county_admin = await headers_of(client, "county_admin")
    rows = (await client.get("/api/v1/audit", headers=county_admin)).json()["items"]
    assert rows and all(COUNTY in (r["actor_org"], r["target_org"]) for r in rows)
    assert "admin" not in {r["actor_username"] for r in rows}
    assert_problem(await client.get(f"/api/v1/audit?org={PROVINCE}", headers=county_admin), 404)
    assert_problem(await client.get("/api/v1/audit?since=yesterday", headers=county_admin), 422)
    assert_problem(await client.get("/api/v1/audit?limit=0", headers=county_admin), 422)
    assert_problem(await client.get("/api/v1/audit?limit=201", headers=county_admin), 422)
    assert_problem(await client.get(f"/api/v1/audit?offset={2**63}", headers=county_admin), 422)
