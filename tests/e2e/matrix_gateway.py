"""The authorisation matrix rows of the gateway's own routes: sign-in, organisations, people, audit and the
cross-service views (see matrix_route.py for the row's shape)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.matrix_route import Route, call_json, listed
from tests.e2e.matrix_world import (
    NOWHERE,
    TARGET,
    UNKNOWN_ORG,
    Caller,
    World,
    everyone,
    in_scope,
    scoped,
)


def _token(w: World, c: Caller, rid: str) -> httpx.Response:
    return w.sign_in(c.username)


def _refresh(w: World, c: Caller, rid: str) -> httpx.Response:
    return c.client.post("/api/v1/auth/refresh", json={"refresh_token": c.refresh_token})


def _logout(w: World, c: Caller, rid: str) -> httpx.Response:
    # Sign out a session of its own, so the caller's token stays good for the rest of the matrix.
    token = w.sign_in(c.username).json()["access_token"]
    return httpx.post(
        f"{w.base_url}/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def _create_org(w: World, c: Caller, code: str) -> httpx.Response:
    body = {"kind": "department", "parent_code": TARGET, "name": "授权矩阵新设局", "code": code}
    return c.client.post("/api/v1/orgs", json=body)


def _children(w: World, rid: str) -> Any:
    page = w.admin.get(f"/api/v1/orgs/{TARGET}/children", params={"limit": 200}).json()
    return sorted(o["code"] for o in page["items"])


def _org(w: World, rid: str) -> Any:
    return w.admin.get(f"/api/v1/orgs/{rid}").json()


def _create_person(w: World, c: Caller, username: str) -> httpx.Response:
    body = {
        "display_name": "授权矩阵新增人员",
        "org_code": TARGET,
        "roles": ["handler"],
        "username": username,
    }
    return c.client.post("/api/v1/people", json=body)


def _people(w: World, rid: str) -> Any:
    page = w.admin.get("/api/v1/people", params={"org": TARGET, "limit": 200}).json()
    return sorted(p["id"] for p in page["items"])


def _person(w: World, rid: str) -> Any:
    return w.admin.get(f"/api/v1/people/{rid}").json()


def _target_can_sign_in(w: World, rid: str) -> Any:
    return w.sign_in(w.ids["target_username"], w.ids["target_password"]).status_code


GATEWAY_ROUTES: list[Route] = [
    # --- gateway: sign-in (docs/permissions.md §3) ---
    Route("POST", "/api/v1/auth/token", everyone, _token, anonymous=False),
    Route("POST", "/api/v1/auth/refresh", everyone, _refresh, anonymous=False),
    Route("POST", "/api/v1/auth/logout", everyone, _logout, anonymous=False),
    Route("GET", "/api/v1/auth/me", everyone, call_json("GET", "/api/v1/auth/me")),
    # --- gateway: organisations ---
    Route(
        "GET",
        "/api/v1/orgs",
        everyone,
        call_json("GET", "/api/v1/orgs", name="贵阳市"),
        sees_target=listed("target_org", items=None),
    ),
    Route(
        "GET",
        "/api/v1/orgs/{code}",
        in_scope,
        call_json("GET", "/api/v1/orgs/{rid}"),
        shared=lambda w: TARGET,
        guess=UNKNOWN_ORG,
    ),
    Route(
        "GET",
        "/api/v1/orgs/{code}/children",
        in_scope,
        call_json("GET", "/api/v1/orgs/{rid}/children"),
        shared=lambda w: TARGET,
        guess=UNKNOWN_ORG,
    ),
    Route(
        "POST",
        "/api/v1/orgs",
        scoped(frozenset({"admin"})),
        _create_org,
        shared=lambda w: f"{TARGET}D98",
        fresh=World.new_department_code,
        witness=_children,
    ),
    Route(
        "PATCH",
        "/api/v1/orgs/{code}",
        scoped(frozenset({"admin"})),
        lambda w, c, rid: c.client.patch(f"/api/v1/orgs/{rid}", json={"name": "授权矩阵局（改）"}),
        shared=World.department,
        guess=UNKNOWN_ORG,
        witness=_org,
    ),
    # --- gateway: people ---
    Route(
        "POST",
        "/api/v1/people",
        scoped(frozenset({"admin"})),
        _create_person,
        shared=lambda w: "matrix_never_created",
        fresh=lambda w: w.unique("matrix_new_person_"),
        witness=_people,
    ),
    Route(
        "GET",
        "/api/v1/people",
        scoped(frozenset({"admin", "office"})),
        call_json("GET", "/api/v1/people", org=TARGET),
    ),
    Route(
        "GET",
        "/api/v1/people/{person_id}",
        scoped(frozenset({"admin", "office"})),
        call_json("GET", "/api/v1/people/{rid}"),
        shared=lambda w: w.ids["target_person"],
        guess=NOWHERE,
    ),
    Route(
        "PATCH",
        "/api/v1/people/{person_id}",
        scoped(frozenset({"admin"})),
        lambda w, c, rid: c.client.patch(f"/api/v1/people/{rid}", json={"display_name": "授权矩阵（改）"}),
        shared=lambda w: w.ids["target_person"],
        guess=NOWHERE,
        witness=_person,
    ),
    Route(
        "POST",
        "/api/v1/people/{person_id}/password",
        scoped(frozenset({"admin"})),
        lambda w, c, rid: c.client.post(
            f"/api/v1/people/{rid}/password", json={"new_password": "reset-by-admin-1"}
        ),
        shared=lambda w: w.ids["target_person"],
        guess=NOWHERE,
        witness=_target_can_sign_in,
        note="office reads people but resets no password",
    ),
    Route(
        "GET", "/api/v1/audit", scoped(frozenset({"admin"})), call_json("GET", "/api/v1/audit", org=TARGET)
    ),
    # --- gateway: cross-service views (scope rule; the table names no role for reading) ---
    Route(
        "GET",
        "/api/v1/tasks/{task_id}/timeline",
        in_scope,
        call_json("GET", "/api/v1/tasks/{rid}/timeline"),
        shared=lambda w: w.ids["task"],
        guess=NOWHERE,
    ),
    Route("GET", "/api/v1/dashboard", in_scope, call_json("GET", "/api/v1/dashboard", org=TARGET)),
]
