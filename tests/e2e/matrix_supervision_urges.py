"""Authorisation matrix rows of supervision's urges, orders, clues and notices (Route: see matrix_route.py).

Urges (催办/督办): issued by an office, principal or deputy to a unit strictly below (own unit: 422), read
by whoever sees the urged unit, answered only by the urged unit's own people; the scan on demand is a
provincial administrator's. The target's urges are issued by the province office to 贵阳市.

Clues (线索): filed and looked up by anyone without sign-in (``/api/v1/public/clues``); read by offices,
inspectors and leaders who see the handling office (the reporter's personal data only by the office), and
triaged only by the handling office itself. The target's clues are filed with 贵阳市.

Notices (曝光/宣传典型): drafted, edited, deleted and submitted by the issuing government's own office,
approved or returned by its own principal (a superior's office or principal sees them but may not act);
read by offices and leaders in scope; published ones by anyone on the portal. The target's notices are
issued by 贵阳市.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx

from tests.e2e.matrix_route import Route, total
from tests.e2e.matrix_world import (
    ALLOW,
    DENY,
    HIDE,
    NOWHERE,
    SEES_TARGET,
    TARGET,
    TODAY,
    Call,
    Caller,
    Expect,
    Rule,
    World,
    creates_for_target,
    everyone,
    from_above,
    in_scope,
    province_admin,
    scoped,
)

ISSUING = frozenset({"office", "principal", "deputy"})  # urges/rules.py ISSUING_ROLES
ANSWERING = frozenset({"handler", "deputy", "principal", "office"})  # urges/rules.py ANSWERING_ROLES
NOTICE_READERS = frozenset({"office", "principal", "deputy"})  # notices/rules.py READING_ROLES
CLUE_READERS = frozenset({"office", "inspector", "principal", "deputy"})  # clues/rules.py READING_ROLES


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


# 催办/督办 to 贵阳市: the role first (a dependency), then in scope, then strictly below.
issues_to_target = from_above(ISSUING)


def answers_for_target(role: str, relation: str) -> Expect:
    """Only the urged unit's own people answer; a superior sees it (403), others do not (404)."""
    if relation not in SEES_TARGET:
        return HIDE
    return ALLOW if relation == "own" and role in ANSWERING else DENY


def _urge(w: World, rid: str) -> Any:
    return w.admin.get(f"/api/v1/urges/{rid}").json()


def _listed_urge(w: World, body: Any) -> bool:
    return any(row["id"] == shared_urge(w) for row in body["items"])


def _issue(w: World, c: Caller, rid: str) -> httpx.Response:
    return c.client.post("/api/v1/urges", json=urge_body())


def _answer(w: World, c: Caller, rid: str) -> httpx.Response:
    body = {"reason": "授权矩阵: 资金未到位", "plan": "授权矩阵: 下月完成"}
    return c.client.post(f"/api/v1/urges/{rid}/answer", json=body)


def clue_body() -> dict[str, Any]:
    return {
        "org_code": TARGET,
        "category": "授权矩阵",
        "content": "授权矩阵线索: 某项目停工无人过问",
        "channel": "portal",
        "reporter_name": "授权矩阵反映人",
    }


def new_clue(w: World) -> str:
    response = w.anonymous.post("/api/v1/public/clues", json=clue_body())
    assert response.status_code == 201, response.text
    receipt = response.json()
    w.ids[f"clue-secret-{receipt['receipt_no']}"] = receipt["secret"]
    office = w.caller("office", "own").client
    page = office.get("/api/v1/clues", params={"org": TARGET, "limit": 200}).json()
    clue_id: str = next(c["id"] for c in page["items"] if c["receipt_no"] == receipt["receipt_no"])
    w.ids[f"clue-receipt-{clue_id}"] = receipt["receipt_no"]
    return clue_id


def shared_clue(w: World) -> str:
    return w.shared("clue", lambda: new_clue(w))


def triages_target(role: str, relation: str) -> Expect:
    """研判: the handling office (贵阳市's own 督查室) only; a superior's office sees it but may not."""
    if relation not in SEES_TARGET:
        return HIDE
    return ALLOW if (role, relation) == ("office", "own") else DENY


def _clue(w: World, rid: str) -> Any:
    return w.caller("office", "own").client.get(f"/api/v1/clues/{rid}").json()


def _clues_total(w: World, rid: str) -> Any:
    office = w.caller("office", "own").client
    return office.get("/api/v1/clues", params={"org": TARGET, "limit": 1}).json()["total"]


def _lookup(w: World, c: Caller, rid: str) -> httpx.Response:
    receipt = w.ids[f"clue-receipt-{rid}"]
    body = {"receipt_no": receipt, "secret": w.ids[f"clue-secret-{receipt}"]}
    return c.client.post("/api/v1/public/clues/status", json=body)


def _triage(w: World, c: Caller, rid: str) -> httpx.Response:
    body = {"outcome": "dismissed", "reason": "授权矩阵: 不属于督查范围"}
    return c.client.post(f"/api/v1/clues/{rid}/triage", json=body)


def _listed_clue(w: World, body: Any) -> bool:
    return any(row["id"] == shared_clue(w) for row in body["items"])


def notice_body() -> dict[str, Any]:
    return {
        "kind": "exposure",
        "title": "授权矩阵通报",
        "body": "授权矩阵: 落实不力问题通报",
        "items": [{"org_code": TARGET, "responsible": "授权矩阵责任人", "description": "进度滞后"}],
    }


def new_notice(w: World, state: str = "draft") -> str:
    office = w.caller("office", "own").client
    response = office.post("/api/v1/notices", json=notice_body())
    assert response.status_code == 201, response.text
    notice_id: str = response.json()["id"]
    if state in ("submitted", "published"):
        assert office.post(f"/api/v1/notices/{notice_id}/submit").status_code == 200
    if state == "published":
        principal = w.caller("principal", "own").client
        assert principal.post(f"/api/v1/notices/{notice_id}/approve").status_code == 200
    return notice_id


def shared_notice(state: str) -> Callable[[World], str]:
    return lambda w: w.shared(f"notice-{state}", lambda: new_notice(w, state))


def fresh_notice(state: str) -> Callable[[World], str]:
    return lambda w: new_notice(w, state)


def own_role_only(own_role: str) -> Rule:
    """Only ``own_role`` of 贵阳市 itself acts; others who see it get 403, the rest 404."""

    def rule(role: str, relation: str) -> Expect:
        if relation not in SEES_TARGET:
            return HIDE
        return ALLOW if (role, relation) == (own_role, "own") else DENY

    return rule


def _notice(w: World, rid: str) -> Any:
    return w.caller("office", "own").client.get(f"/api/v1/notices/{rid}").json()


def _notices_total(w: World, rid: str) -> Any:
    office = w.caller("office", "parent").client
    return office.get("/api/v1/notices", params={"limit": 1}).json()["total"]


def _listed_notice(w: World, body: Any) -> bool:
    return any(row["id"] == shared_notice("draft")(w) for row in body["items"])


def _notice_action(action: str, body: dict[str, Any] | None = None) -> Call:
    def call(w: World, c: Caller, rid: str) -> httpx.Response:
        return c.client.post(f"/api/v1/notices/{rid}/{action}", json=body)

    return call


SUPERVISION_URGE_ROUTES: list[Route] = [
    Route(
        "POST",
        "/api/v1/urges",
        issues_to_target,
        _issue,
        witness=total("/api/v1/urges", org=TARGET),
        note="office, principal, deputy; only downward (422 urge-own-unit)",
    ),
    Route(
        "GET",
        "/api/v1/urges",
        in_scope,
        lambda w, c, rid: c.client.get("/api/v1/urges", params={"org": TARGET}),
        shared=shared_urge,  # made before the first call, so every lister can be asked to show it
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
    # --- clues (线索) ---
    Route(
        "POST",
        "/api/v1/public/clues",
        everyone,
        lambda w, c, rid: c.client.post("/api/v1/public/clues", json=clue_body()),
        anonymous=False,
        note="public portal: no sign-in (rate-limited per address)",
    ),
    Route(
        "POST",
        "/api/v1/public/clues/status",
        everyone,
        _lookup,
        shared=shared_clue,
        anonymous=False,
        note="public portal: the receipt number and its secret",
    ),
    Route(
        "GET",
        "/api/v1/clues",
        creates_for_target(CLUE_READERS),
        lambda w, c, rid: c.client.get("/api/v1/clues", params={"org": TARGET}),
        shared=shared_clue,
        sees_target=_listed_clue,
        basis="inferred",
        note="offices, inspectors, leaders; the filter names the target",
    ),
    Route(
        "GET",
        "/api/v1/clues/{clue_id}",
        scoped(CLUE_READERS),
        lambda w, c, rid: c.client.get(f"/api/v1/clues/{rid}"),
        shared=shared_clue,
        guess=NOWHERE,
    ),
    Route(
        "POST",
        "/api/v1/clues/{clue_id}/triage",
        triages_target,
        _triage,
        shared=shared_clue,
        fresh=new_clue,
        witness=_clue,
        guess=NOWHERE,
        note="the handling office only",
    ),
    # --- notices (曝光 / 宣传典型) ---
    Route(
        "POST",
        "/api/v1/notices",
        creates_for_target(frozenset({"office"})),
        lambda w, c, rid: c.client.post("/api/v1/notices", json=notice_body()),
        witness=_notices_total,
        note="an office drafts for its own government; the items must lie in its subtree",
    ),
    Route(
        "GET",
        "/api/v1/notices",
        creates_for_target(NOTICE_READERS),
        lambda w, c, rid: c.client.get("/api/v1/notices", params={"org": TARGET}),
        shared=shared_notice("draft"),
        sees_target=_listed_notice,
        basis="inferred",
    ),
    Route(
        "GET",
        "/api/v1/notices/{notice_id}",
        scoped(NOTICE_READERS),
        lambda w, c, rid: c.client.get(f"/api/v1/notices/{rid}"),
        shared=shared_notice("draft"),
        guess=NOWHERE,
    ),
    Route(
        "PATCH",
        "/api/v1/notices/{notice_id}",
        own_role_only("office"),
        lambda w, c, rid: c.client.patch(f"/api/v1/notices/{rid}", json={"title": "授权矩阵通报（改）"}),
        shared=shared_notice("draft"),
        witness=_notice,
        guess=NOWHERE,
    ),
    Route(
        "DELETE",
        "/api/v1/notices/{notice_id}",
        own_role_only("office"),
        lambda w, c, rid: c.client.delete(f"/api/v1/notices/{rid}"),
        shared=shared_notice("draft"),
        fresh=fresh_notice("draft"),
        witness=_notice,
        guess=NOWHERE,
    ),
    Route(
        "POST",
        "/api/v1/notices/{notice_id}/submit",
        own_role_only("office"),
        _notice_action("submit"),
        shared=shared_notice("draft"),
        fresh=fresh_notice("draft"),
        witness=_notice,
        guess=NOWHERE,
    ),
    Route(
        "POST",
        "/api/v1/notices/{notice_id}/approve",
        own_role_only("principal"),
        _notice_action("approve"),
        shared=shared_notice("submitted"),
        fresh=fresh_notice("submitted"),
        witness=_notice,
        guess=NOWHERE,
        note="the issuing government's own principal (审批)",
    ),
    Route(
        "POST",
        "/api/v1/notices/{notice_id}/return",
        own_role_only("principal"),
        _notice_action("return", {"reason": "授权矩阵退回"}),
        shared=shared_notice("submitted"),
        fresh=fresh_notice("submitted"),
        witness=_notice,
        guess=NOWHERE,
    ),
    Route(
        "GET",
        "/api/v1/public/notices",
        everyone,
        lambda w, c, rid: c.client.get("/api/v1/public/notices"),
        anonymous=False,
        note="public portal: published notices",
    ),
    Route(
        "GET",
        "/api/v1/public/notices/{notice_id}",
        everyone,
        lambda w, c, rid: c.client.get(f"/api/v1/public/notices/{rid}"),
        shared=shared_notice("published"),
        guess=NOWHERE,
        anonymous=False,
    ),
]
