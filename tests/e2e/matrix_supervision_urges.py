"""Authorisation matrix rows of supervision's urges, orders, clues and notices (Route: see matrix.py).

Urges (催办/督办): issued by an office, principal or deputy to a unit strictly below (own unit: 422), read
by whoever sees the urged unit, answered only by the urged unit's own people; the scan on demand is a
provincial administrator's. The target's urges are issued by the province office to 贵阳市.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.e2e.matrix import Route
from tests.e2e.matrix_world import (
    ALLOW,
    DENY,
    DOWNWARD_ONLY,
    HIDE,
    NOWHERE,
    OUTSIDE,
    SEES_TARGET,
    TARGET,
    TODAY,
    Caller,
    Expect,
    World,
    in_scope,
    province_admin,
)

ISSUING = frozenset({"office", "principal", "deputy"})  # urges/rules.py ISSUING_ROLES
ANSWERING = frozenset({"handler", "deputy", "principal", "office"})  # urges/rules.py ANSWERING_ROLES


def urge_body(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "order",
        "org_code": TARGET,
        "message": "授权矩阵督办: 请说明原因和整改措施",
        "answer_due": (TODAY + timedelta(days=10)).isoformat(),
        **extra,
    }


def new_urge(w: World) -> str:
    response = w.office.post("/api/v1/urges", json=urge_body())
    assert response.status_code == 201, response.text
    urge_id: str = response.json()["id"]
    return urge_id


def shared_urge(w: World) -> str:
    return w.shared("urge", lambda: new_urge(w))


def issues_to_target(role: str, relation: str) -> Expect:
    """催办/督办 to 贵阳市: the role first (a dependency), then in scope, then strictly below."""
    if role not in ISSUING:
        return DENY
    if relation not in SEES_TARGET:
        return OUTSIDE
    return ALLOW if relation == "parent" else DOWNWARD_ONLY


def answers_for_target(role: str, relation: str) -> Expect:
    """Only the urged unit's own people answer; a superior sees it (403), others do not (404)."""
    if relation not in SEES_TARGET:
        return HIDE
    return ALLOW if relation == "own" and role in ANSWERING else DENY


def _urges_total(w: World, rid: str) -> Any:
    return w.admin.get("/api/v1/urges", params={"org": TARGET, "limit": 1}).json()["total"]


def _urge(w: World, rid: str) -> Any:
    return w.admin.get(f"/api/v1/urges/{rid}").json()


def _listed_urge(w: World, body: Any) -> bool:
    return any(row["id"] == shared_urge(w) for row in body["items"])


def _issue(w: World, c: Caller, rid: str) -> httpx.Response:
    return c.client.post("/api/v1/urges", json=urge_body())


def _answer(w: World, c: Caller, rid: str) -> httpx.Response:
    body = {"reason": "授权矩阵: 资金未到位", "plan": "授权矩阵: 下月完成"}
    return c.client.post(f"/api/v1/urges/{rid}/answer", json=body)


SUPERVISION_URGE_ROUTES: list[Route] = [
    Route(
        "POST",
        "/api/v1/urges",
        issues_to_target,
        _issue,
        witness=_urges_total,
        note="office, principal, deputy; only downward (422 urge-own-unit)",
    ),
    Route(
        "GET",
        "/api/v1/urges",
        in_scope,
        lambda w, c, rid: c.client.get("/api/v1/urges", params={"org": TARGET}),
        sees_target=_listed_urge,
    ),
    Route(
        "GET",
        "/api/v1/urges/{urge_id}",
        in_scope,
        lambda w, c, rid: c.client.get(f"/api/v1/urges/{rid}"),
        shared=shared_urge,
        guess=NOWHERE,
    ),
    Route(
        "POST",
        "/api/v1/urges/{urge_id}/answer",
        answers_for_target,
        _answer,
        shared=shared_urge,
        fresh=new_urge,
        witness=_urge,
        guess=NOWHERE,
        note="the urged unit's own people (原因和整改措施)",
    ),
    Route(
        "POST",
        "/api/v1/urge-scans",
        province_admin,
        lambda w, c, rid: c.client.post("/api/v1/urge-scans"),
    ),
]
