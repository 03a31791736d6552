"""The authorisation matrix rows of the scoring service's routes (see matrix_route.py for the Route shape).

Expectations follow docs/permissions.md (积分 / scoring): everyone signed in reads the rules; rule
versions for 贵阳市's scope are added by an administrator or office that sees it; manual items,
corrections and the negative list are written by a government *above* the unit (never the unit
itself: 403 for its own people); rankings of 贵阳市's units are drafted by its directing roles or those
above, approved only by 贵阳市's principal, published only by 贵阳市 itself; the public portal shows
published rankings to anyone. Writes on an object by id answer 404 before any role check.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import httpx

from tests.e2e.matrix_route import Route, total
from tests.e2e.matrix_world import (
    ALLOW,
    DENY,
    DIRECTING,
    HIDE,
    NOWHERE,
    SEES_TARGET,
    TARGET,
    TODAY,
    Caller,
    Expect,
    World,
    creates_for_target,
    everyone,
    from_above,
    in_scope,
    province_admin,
)

SCORERS = frozenset({"principal", "office", "admin"})  # ledger/routes.py SCORING_ROLES, negative/routes.py
RULE_EDITORS = frozenset({"admin", "office"})
PUBLISHERS = frozenset({"principal", "office", "admin"})
_periods = itertools.count(1901)  # past years of their own: a ranking's period must have begun
_past_years = itertools.count(2001)
_windows = itertools.count(1)
FILERS = frozenset(DIRECTING)  # selfchecks/routes.py FILING_ROLES
NO_GOVERNMENT_ABOVE = Expect(frozenset({422}), "the province reports to no government above it (422)")


# A write about 贵阳市 itself: only from strictly above it (贵阳市's own scorers: 403).
_scores_target = from_above(SCORERS, own=DENY)


def _corrects_target(role: str, relation: str) -> Expect:
    """A write on 贵阳市's entry by id: hidden outside the subtree, then the role, then only from above."""
    if relation not in SEES_TARGET:
        return HIDE
    return ALLOW if role in SCORERS and relation == "parent" else DENY


def _approves(role: str, relation: str) -> Expect:
    """经本级政府主要负责同志批准: 贵阳市's principal only (the province's principal sees it, may not)."""
    if relation not in SEES_TARGET:
        return HIDE
    return ALLOW if role == "principal" and relation == "own" else DENY


def _publishes(role: str, relation: str) -> Expect:
    if relation not in SEES_TARGET:
        return HIDE
    return ALLOW if role in PUBLISHERS and relation == "own" else DENY


def _files_own(role: str, relation: str) -> Expect:
    """A self-check is the caller's own unit's: a unit with a government above it, by its directing roles."""
    if role not in FILERS:
        return DENY
    return NO_GOVERNMENT_ABOVE if relation == "parent" else ALLOW


def _ok(response: httpx.Response) -> Any:
    assert response.is_success, response.text
    return response.json()


def _entry(w: World) -> str:
    def make() -> str:
        body = {"org_code": TARGET, "points": "1", "basis": "授权矩阵手工记分"}
        return str(_ok(w.office.post("/api/v1/points/entries", json=body))["id"])

    return w.shared("scoring_entry", make)


def _ranking(w: World, state: str = "draft") -> str:
    """A ranking of 贵阳市's counties in a period of its own, brought to ``state``."""
    body = {"scope_org": TARGET, "tier": "county", "period": f"{next(_periods)}Q1"}
    rid = str(_ok(w.office.post("/api/v1/rankings", json=body))["id"])
    if state in ("approved", "published"):
        _ok(w.caller("principal", "own").client.post(f"/api/v1/rankings/{rid}/approve"))
    if state == "published":
        _ok(w.caller("office", "own").client.post(f"/api/v1/rankings/{rid}/publish"))
    return rid


def _negative(w: World) -> str:
    def make() -> str:
        body = {"org_code": TARGET, "basis": "授权矩阵负面清单"}
        return str(_ok(w.office.post("/api/v1/negative-list", json=body))["id"])

    return w.shared("scoring_negative", make)


def _get(path: str, **params: Any):
    def call(w: World, c: Caller, rid: str) -> httpx.Response:
        return c.client.get(path.format(rid=rid), params=params or None)

    return call


def _post(path: str, body: dict[str, Any] | None = None):
    def call(w: World, c: Caller, rid: str) -> httpx.Response:
        return c.client.post(path.format(rid=rid), json=body)

    return call


def _public(path: str):
    def call(w: World, c: Caller, rid: str) -> httpx.Response:
        return w.anonymous.get(path.format(rid=rid))

    return call


def _create_ranking(w: World, c: Caller, period: str) -> httpx.Response:
    return c.client.post("/api/v1/rankings", json={"scope_org": TARGET, "tier": "county", "period": period})


def _standing(w: World, rid: str) -> Any:
    page = w.admin.get(f"/api/v1/points/standings/{TARGET}", params={"period": TODAY.strftime("%Y")}).json()
    return page["standing"]


def _rule_versions(w: World, rid: str) -> Any:
    return len(w.admin.get("/api/v1/scoring-rules", params={"code": "finding_recorded"}).json())


def _ranking_state(w: World, rid: str) -> Any:
    return w.admin.get(f"/api/v1/rankings/{rid}").json()["state"]


def _rankings_total(w: World, rid: str) -> Any:
    return w.admin.get("/api/v1/rankings", params={"scope_org": TARGET}).json()["total"]


def _corrections(w: World, rid: str) -> Any:
    return len(w.admin.get(f"/api/v1/points/entries/{rid}").json()["corrections"])


def _negative_entry(w: World, rid: str) -> Any:
    items = w.admin.get("/api/v1/negative-list", params={"org": TARGET, "limit": 200}).json()["items"]
    return sorted((i["id"], i["review_note"]) for i in items)


def _shows(key: str):
    def shown(w: World, body: Any) -> bool:
        return any(row.get("id") == w.ids.get(key) for row in body["items"])

    return shown


def _listed_ranking(w: World) -> str:
    rid = w.shared("scoring_ranking", lambda: _ranking(w))
    w.ids["scoring_ranking"] = rid
    return rid


def _listed_negative(w: World) -> str:
    rid = _negative(w)
    w.ids["scoring_negative"] = rid
    return rid


def _self_check(w: World) -> str:
    def make() -> str:
        body = {"period": "2000Q1", "claimed_points": "0", "summary": "授权矩阵自查"}
        return str(_ok(w.caller("office", "own").client.post("/api/v1/self-checks", json=body))["id"])

    rid = w.shared("scoring_self_check", make)
    w.ids["scoring_self_check"] = rid
    return rid


def _file(w: World, c: Caller, period: str) -> httpx.Response:
    body = {"period": period, "claimed_points": "0", "summary": "授权矩阵自查", "explanation": "无差异"}
    return c.client.post("/api/v1/self-checks", json=body)


def _made(key: str, path: str, body: dict[str, Any]):
    def make(w: World) -> str:
        rid = w.shared(key, lambda: str(_ok(w.office.post(path, json=body))["id"]))
        w.ids[key] = rid
        return rid

    return make


def _grant(w: World, c: Caller, start: str) -> httpx.Response:
    first = TODAY + timedelta(days=int(start))
    body = {
        "org_code": TARGET,
        "starts_on": first.isoformat(),
        "ends_on": (first + timedelta(days=10)).isoformat(),
    }
    return c.client.post("/api/v1/exemption-grants", json={**body, "basis": "授权矩阵免督查"})


INCENTIVE = {
    "org_code": TARGET,
    "kind": "pilot",
    "title": "授权矩阵试点",
    "period": "2026",
    "basis": "成效好",
}
DECISION = {
    "org_code": TARGET,
    "basis": "授权矩阵督查问题",
    "persons": [{"name": "授权矩阵", "position": "科长"}],
    "decision": "通报批评",
}

RULE_BODY = {
    "code": "finding_recorded",
    "points": "-1.5",
    "effective_from": TODAY.isoformat(),
    "scope_org": TARGET,
    "reason": "授权矩阵调整",
}

SCORING_ROUTES: list[Route] = [
    Route("GET", "/api/v1/scoring-rules", everyone, _get("/api/v1/scoring-rules")),
    Route(
        "POST",
        "/api/v1/scoring-rules",
        creates_for_target(RULE_EDITORS),
        _post("/api/v1/scoring-rules", RULE_BODY),
        witness=_rule_versions,
        note="a version scoped to 贵阳市: an administrator or office that sees it",
    ),
    Route("GET", "/api/v1/points/check", province_admin, _get("/api/v1/points/check")),
    Route("GET", "/api/v1/points/standings/{org_code}", in_scope, _get(f"/api/v1/points/standings/{TARGET}")),
    Route(
        "GET",
        "/api/v1/points/entries/{entry_id}",
        in_scope,
        _get("/api/v1/points/entries/{rid}"),
        shared=_entry,
        guess=NOWHERE,
    ),
    Route(
        "POST",
        "/api/v1/points/entries",
        _scores_target,
        _post("/api/v1/points/entries", {"org_code": TARGET, "points": "0.5", "basis": "授权矩阵记分"}),
        witness=_standing,
        note="only a government above the unit scores it",
    ),
    Route(
        "POST",
        "/api/v1/points/entries/{entry_id}/corrections",
        _corrects_target,
        _post("/api/v1/points/entries/{rid}/corrections", {"points": "-0.01", "reason": "授权矩阵更正"}),
        shared=_entry,
        witness=_corrections,
        guess=NOWHERE,
    ),
    Route(
        "POST",
        "/api/v1/rankings",
        creates_for_target(frozenset(DIRECTING)),
        _create_ranking,
        shared=lambda w: "1900Q1",
        fresh=lambda w: f"{next(_periods)}Q2",
        witness=_rankings_total,
    ),
    Route(
        "GET",
        "/api/v1/rankings",
        everyone,
        _get("/api/v1/rankings", scope_org=TARGET, limit=200),
        shared=_listed_ranking,
        sees_target=_shows("scoring_ranking"),
    ),
    Route(
        "GET",
        "/api/v1/rankings/{ranking_id}",
        in_scope,
        _get("/api/v1/rankings/{rid}"),
        shared=_listed_ranking,
        guess=NOWHERE,
    ),
    Route(
        "POST",
        "/api/v1/rankings/{ranking_id}/approve",
        _approves,
        _post("/api/v1/rankings/{rid}/approve"),
        shared=lambda w: w.shared("scoring_draft", lambda: _ranking(w)),
        fresh=lambda w: _ranking(w),
        witness=_ranking_state,
        guess=NOWHERE,
    ),
    Route(
        "POST",
        "/api/v1/rankings/{ranking_id}/publish",
        _publishes,
        _post("/api/v1/rankings/{rid}/publish"),
        shared=lambda w: w.shared("scoring_approved", lambda: _ranking(w, "approved")),
        fresh=lambda w: _ranking(w, "approved"),
        witness=_ranking_state,
        guess=NOWHERE,
    ),
    Route(
        "GET",
        "/api/v1/public/rankings",
        everyone,
        _public("/api/v1/public/rankings"),
        anonymous=False,
        note="the public portal: published rankings for anyone, signed in or not",
    ),
    Route(
        "GET",
        "/api/v1/public/rankings/{ranking_id}",
        everyone,
        _public("/api/v1/public/rankings/{rid}"),
        shared=lambda w: w.shared("scoring_published", lambda: _ranking(w, "published")),
        anonymous=False,
        guess=NOWHERE,
    ),
    Route(
        "GET",
        "/api/v1/negative-list",
        everyone,
        _get("/api/v1/negative-list", limit=200),
        shared=_listed_negative,
        sees_target=_shows("scoring_negative"),
    ),
    Route(
        "POST",
        "/api/v1/negative-list",
        _scores_target,
        _post("/api/v1/negative-list", {"org_code": TARGET, "basis": "授权矩阵列入"}),
        witness=_negative_entry,
    ),
    Route(
        "POST",
        "/api/v1/negative-list/{entry_id}/review",
        _corrects_target,
        _post("/api/v1/negative-list/{rid}/review", {"outcome": "kept", "note": "授权矩阵调度"}),
        shared=_negative,
        witness=_negative_entry,
        guess=NOWHERE,
    ),
    Route(
        "POST",
        "/api/v1/self-checks",
        _files_own,
        _file,
        shared=lambda w: "1999Q1",
        fresh=lambda w: f"{next(_past_years)}Q2",
        witness=total("/api/v1/self-checks"),
        note="every caller files for its own unit",
    ),
    Route(
        "GET",
        "/api/v1/self-checks",
        everyone,
        _get("/api/v1/self-checks", limit=200),
        shared=_self_check,
        sees_target=_shows("scoring_self_check"),
    ),
    Route(
        "GET",
        "/api/v1/self-checks/missing",
        in_scope,
        _get("/api/v1/self-checks/missing", scope_org=TARGET),
    ),
    Route(
        "GET",
        "/api/v1/self-checks/{check_id}",
        in_scope,
        _get("/api/v1/self-checks/{rid}"),
        shared=_self_check,
        guess=NOWHERE,
    ),
    Route(
        "POST",
        "/api/v1/incentives",
        _scores_target,
        _post("/api/v1/incentives", INCENTIVE),
        witness=total("/api/v1/incentives", org=TARGET),
    ),
    Route(
        "GET",
        "/api/v1/incentives",
        everyone,
        _get("/api/v1/incentives", limit=200),
        shared=_made("scoring_incentive", "/api/v1/incentives", INCENTIVE),
        sees_target=_shows("scoring_incentive"),
    ),
    Route(
        "POST",
        "/api/v1/accountability",
        _scores_target,
        _post("/api/v1/accountability", DECISION),
        witness=total("/api/v1/accountability", org=TARGET),
    ),
    Route(
        "GET",
        "/api/v1/accountability",
        everyone,
        _get("/api/v1/accountability", limit=200),
        shared=_made("scoring_decision", "/api/v1/accountability", DECISION),
        sees_target=_shows("scoring_decision"),
    ),
    Route(
        "GET",
        "/api/v1/accountability/export",
        everyone,
        _get("/api/v1/accountability/export"),
        basis="inferred",
        note="each caller exports the decisions of its own subtree",
    ),
    Route(
        "GET", "/api/v1/public/incentives", everyone, _public("/api/v1/public/incentives"), anonymous=False
    ),
    Route(
        "GET",
        "/api/v1/public/accountability",
        everyone,
        _public("/api/v1/public/accountability"),
        anonymous=False,
    ),
    Route(
        "POST",
        "/api/v1/exemption-grants",
        _scores_target,
        _grant,
        shared=lambda w: "300",
        fresh=lambda w: str(20 * next(_windows)),
        witness=total("/api/v1/exemption-grants", org=TARGET),
    ),
    Route(
        "GET",
        "/api/v1/exemption-grants",
        everyone,
        _get("/api/v1/exemption-grants", limit=200),
        shared=_made(
            "scoring_exemption",
            "/api/v1/exemption-grants",
            {"org_code": TARGET, "starts_on": "2099-01-01", "ends_on": "2099-06-30", "basis": "授权矩阵"},
        ),
        sees_target=_shows("scoring_exemption"),
    ),
]
