"""Authorisation matrix rows of the gateway's machine clients (接入系统; Route: see matrix_route.py)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.matrix_route import Route, call_json
from tests.e2e.matrix_world import NOWHERE, TARGET, Caller, World, everyone, scoped

READERS = frozenset({"admin", "office"})


def _target_client(w: World) -> str:
    """One client of 贵阳市, registered by the province administrator the first time a row needs it."""
    if "machine_client" not in w.ids:
        body = {"name": "授权矩阵公文系统", "org_code": TARGET, "actions": ["documents.register"]}
        response = w.admin.post("/api/v1/machine-clients", json=body)
        assert response.status_code == 201, response.text
        w.ids["machine_client"] = response.json()["id"]
    return w.ids["machine_client"]


def _register(w: World, c: Caller, rid: str) -> httpx.Response:
    body = {"name": "授权矩阵应急平台", "org_code": TARGET, "actions": ["tasks.create"]}
    return c.client.post("/api/v1/machine-clients", json=body)


def _clients_of_target(w: World, rid: str) -> Any:
    return w.admin.get("/api/v1/machine-clients", params={"limit": 200}).json()["total"]


def _client(w: World, rid: str) -> Any:
    return w.admin.get(f"/api/v1/machine-clients/{rid}").json()


def _list_rule(role: str, relation: str) -> Any:
    """Administrators and the office list the clients of their own subtree (the list is filtered)."""
    return scoped(READERS)(role, "own")


CLIENT_ROUTES: list[Route] = [
    Route(
        "GET",
        "/api/v1/machine-clients/actions",
        everyone,
        call_json("GET", "/api/v1/machine-clients/actions"),
    ),
    Route(
        "POST",
        "/api/v1/machine-clients",
        scoped(frozenset({"admin"})),
        _register,
        witness=_clients_of_target,
    ),
    Route(
        "GET",
        "/api/v1/machine-clients",
        _list_rule,
        call_json("GET", "/api/v1/machine-clients"),
        shared=_target_client,
        sees_target=lambda w, body: any(row["id"] == _target_client(w) for row in body["items"]),
    ),
    Route(
        "GET",
        "/api/v1/machine-clients/{client_id}",
        scoped(READERS),
        call_json("GET", "/api/v1/machine-clients/{rid}"),
        shared=_target_client,
        guess=NOWHERE,
    ),
    Route(
        "PATCH",
        "/api/v1/machine-clients/{client_id}",
        scoped(frozenset({"admin"})),
        lambda w, c, rid: c.client.patch(
            f"/api/v1/machine-clients/{rid}", json={"name": "授权矩阵公文系统（改）"}
        ),
        shared=_target_client,
        guess=NOWHERE,
        witness=_client,
    ),
    Route(
        "POST",
        "/api/v1/machine-clients/{client_id}/secret",
        scoped(frozenset({"admin"})),
        lambda w, c, rid: c.client.post(f"/api/v1/machine-clients/{rid}/secret", json={"overlap_hours": 1}),
        shared=_target_client,
        guess=NOWHERE,
        witness=_client,
        note="a rotation sets previous_secret_until, which the witness reads",
    ),
]
