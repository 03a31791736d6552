"""The authorisation matrix rows of the supervision service's routes, part A: inspections, evidence, plans,
findings, rectification, exemptions, inspection load, representatives (Route: see matrix_route.py).

Expectations come from docs/permissions.md (section 督查督办). The resources: inspections the province's
office (贵州省督查室) organises, so the parent is the inspecting side and 贵阳市 (own) the inspected unit;
findings and rectification items name 贵阳市 as the responsible unit. Inspections that a call consumes
(conduct, report, cancel) target departments of 贵阳市 (codes the gateway need not know), one each, so the
yearly cap of routine inspections per unit is never what answers. Assessors (第三方评估) and representatives
(两代表一委员) see only the inspections they are members of: here none, so 404 everywhere.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.matrix_route import Route, call_json, total
from tests.e2e.matrix_world import (
    ALLOW,
    CHILD,
    DENY,
    HIDE,
    NOWHERE,
    OUTSIDE,
    SEES_TARGET,
    TARGET,
    TODAY,
    Caller,
    Expect,
    World,
    everyone,
    province_admin,
)

OUTSIDE_ROLES = frozenset({"assessor", "representative"})
ORGANISING = frozenset({"principal", "deputy", "office"})
INSPECTING = frozenset({"principal", "deputy", "office", "inspector"})
UNIT = frozenset({"principal", "deputy", "handler", "office", "admin"})
READERS = frozenset({"principal", "deputy", "office", "admin"})
NOT_BELOW = Expect(frozenset({422}), "refused: the target must lie below the organiser (422)")


def sees(role: str, relation: str) -> Expect:
    """The target's side and the inspecting side see it; outside roles only as members."""
    return HIDE if relation not in SEES_TARGET or role in OUTSIDE_ROLES else ALLOW


def inspecting_side(roles: frozenset[str]) -> Any:
    def rule(role: str, relation: str) -> Expect:
        if sees(role, relation) is HIDE:
            return HIDE
        return ALLOW if relation == "parent" and role in roles else DENY

    return rule


def responsible_unit(role: str, relation: str) -> Expect:
    if sees(role, relation) is HIDE:
        return HIDE
    return ALLOW if relation == "own" and role in UNIT else DENY


def organises_for_child(role: str, relation: str) -> Expect:
    if role not in ORGANISING:
        return DENY
    if relation == "sibling":
        return OUTSIDE
    return NOT_BELOW if relation == "child" else ALLOW


def roles_only(roles: frozenset[str]) -> Any:
    return lambda role, relation: ALLOW if role in roles else DENY


# --- resources, made by the province's office (w.office) and 贵阳市's principal ------------------------


def _inspection(w: World, target: str, kind: str = "special") -> str:
    body = {
        "title": w.unique("授权矩阵督查"),
        "kind": kind,
        "subject_kind": "theme",
        "subject": w.unique("授权矩阵事项"),
        "target_orgs": [target],
        "planned_start": TODAY.isoformat(),
        "planned_end": TODAY.isoformat(),
    }
    response = w.office.post("/api/v1/inspections", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _conduct(w: World, inspection_id: str) -> str:
    body = {"conducted_on": TODAY.isoformat(), "summary": "授权矩阵实施"}
    response = w.office.post(f"/api/v1/inspections/{inspection_id}/conduct", json=body)
    assert response.status_code == 200, response.text
    return inspection_id


def planned(w: World) -> str:
    return w.shared("inspection:planned", lambda: _inspection(w, TARGET))


def conducted(w: World) -> str:
    return w.shared("inspection:conducted", lambda: _conduct(w, _inspection(w, TARGET)))


def fresh_planned(w: World) -> str:
    return _inspection(w, w.new_department_code())


def fresh_conducted(w: World) -> str:
    return _conduct(w, fresh_planned(w))


def conducted_elsewhere(w: World) -> str:
    return w.shared("inspection:conducted:department", lambda: fresh_conducted(w))


def _finding(w: World) -> str:
    body = {"inspection_id": conducted(w), "org_code": TARGET, "title": w.unique("授权矩阵问题")}
    response = w.office.post("/api/v1/findings", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def finding(w: World) -> str:
    return w.shared("finding", lambda: _finding(w))


def _rectification(w: World) -> str:
    body = {"leading_leader": "matrix-leader", "working_days": 20, "requirements": "授权矩阵整改要求"}
    response = w.office.post(f"/api/v1/findings/{_finding(w)}/rectification", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def rectification(w: World) -> str:
    return w.shared("rectification", lambda: _rectification(w))


def _submitted(w: World) -> str:
    rid = _rectification(w)
    unit = w.caller("principal", "own").client
    response = unit.post(
        f"/api/v1/rectifications/{rid}/reports", json={"progress": "整改完成", "final": True}
    )
    assert response.status_code == 201, response.text
    return rid


def submitted(w: World) -> str:
    return w.shared("rectification:submitted", lambda: _submitted(w))


def _evidence(w: World) -> str:
    response = w.office.post(
        "/api/v1/inspection-evidence", data={"inspection_id": planned(w), "note": "矩阵证据"}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _plan(w: World) -> str:
    body = {
        "year": TODAY.year,
        "title": "授权矩阵年度督查计划",
        "period_start": f"{TODAY.year}-01-01",
        "period_end": f"{TODAY.year}-12-31",
    }
    response = w.caller("office", "own").client.post("/api/v1/inspection-plans", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


# --- calls and witnesses --------------------------------------------------------------------------------


def _create_inspection(w: World, c: Caller, rid: str) -> httpx.Response:
    body = {
        "title": "授权矩阵暗访",
        "kind": "unannounced",
        "subject_kind": "theme",
        "subject": w.unique("授权矩阵暗访事项"),
        "target_orgs": [CHILD],
        "planned_start": TODAY.isoformat(),
        "planned_end": TODAY.isoformat(),
    }
    return c.client.post("/api/v1/inspections", json=body)


def _evidence_call(w: World, c: Caller, rid: str) -> httpx.Response:
    return c.client.post("/api/v1/inspection-evidence", data={"inspection_id": rid, "note": "授权矩阵证据"})


def _inspection_state(w: World, rid: str) -> Any:
    return (
        w.admin.get(f"/api/v1/inspections/{rid}").json(),
        len(w.admin.get(f"/api/v1/inspections/{rid}/trace").json()),
        len(w.admin.get(f"/api/v1/inspections/{rid}/evidence").json()),
    )


def _rectification_state(w: World, rid: str) -> Any:
    return (
        w.admin.get(f"/api/v1/rectifications/{rid}").json(),
        len(w.admin.get(f"/api/v1/rectifications/{rid}/reports").json()),
    )


def _plans(w: World, rid: str) -> Any:
    return len(w.admin.get("/api/v1/inspection-plans", params={"org": TARGET}).json())


INSPECTION = "/api/v1/inspections/{inspection_id}"
RECTIFICATION = "/api/v1/rectifications/{rectification_id}"

SUPERVISION_ROUTES: list[Route] = [
    # --- inspections (督查) ---
    Route("GET", "/api/v1/inspections", everyone, call_json("GET", "/api/v1/inspections")),
    Route("GET", "/api/v1/inspections/export", everyone, call_json("GET", "/api/v1/inspections/export")),
    Route(
        "POST",
        "/api/v1/inspections",
        organises_for_child,
        _create_inspection,
        witness=total("/api/v1/inspections"),
        note="安排督查: 督查室和主要、分管负责同志, for units strictly below their own",
    ),
    Route(
        "GET", INSPECTION, sees, call_json("GET", "/api/v1/inspections/{rid}"), shared=planned, guess=NOWHERE
    ),
    Route(
        "GET",
        INSPECTION + "/trace",
        sees,
        call_json("GET", "/api/v1/inspections/{rid}/trace"),
        shared=planned,
        guess=NOWHERE,
    ),
    Route(
        "GET",
        INSPECTION + "/evidence",
        sees,
        call_json("GET", "/api/v1/inspections/{rid}/evidence"),
        shared=planned,
        guess=NOWHERE,
    ),
    Route(
        "POST",
        INSPECTION + "/conduct",
        inspecting_side(INSPECTING),
        call_json(
            "POST",
            "/api/v1/inspections/{rid}/conduct",
            {"conducted_on": TODAY.isoformat(), "summary": "实施"},
        ),
        shared=planned,
        fresh=fresh_planned,
        witness=_inspection_state,
        guess=NOWHERE,
    ),
    Route(
        "POST",
        INSPECTION + "/report",
        inspecting_side(INSPECTING),
        call_json("POST", "/api/v1/inspections/{rid}/report", {"report": "授权矩阵督查报告"}),
        shared=conducted_elsewhere,
        fresh=fresh_conducted,
        witness=_inspection_state,
        guess=NOWHERE,
    ),
    Route(
        "POST",
        INSPECTION + "/cancel",
        inspecting_side(ORGANISING),
        call_json("POST", "/api/v1/inspections/{rid}/cancel", {"reason": "授权矩阵撤销"}),
        shared=planned,
        fresh=fresh_planned,
        witness=_inspection_state,
        guess=NOWHERE,
    ),
    Route(
        "POST",
        "/api/v1/inspection-evidence",
        inspecting_side(INSPECTING),
        _evidence_call,
        shared=planned,
        witness=_inspection_state,
        guess=NOWHERE,
        guess_in_body=True,
    ),
    Route(
        "GET",
        "/api/v1/inspection-evidence/{evidence_id}",
        sees,
        call_json("GET", "/api/v1/inspection-evidence/{rid}"),
        shared=lambda w: w.shared("evidence", lambda: _evidence(w)),
        guess=NOWHERE,
    ),
    # --- annual plans (年度督查计划): 贵阳市's own ---
    Route(
        "POST",
        "/api/v1/inspection-plans",
        roles_only(ORGANISING),
        lambda w, c, rid: c.client.post(
            "/api/v1/inspection-plans",
            json={
                "year": TODAY.year,
                "title": "授权矩阵计划",
                "period_start": f"{TODAY.year}-01-01",
                "period_end": f"{TODAY.year}-12-31",
            },
        ),
        witness=_plans,
        note="each organising caller makes its own organisation's plan",
    ),
    Route("GET", "/api/v1/inspection-plans", everyone, call_json("GET", "/api/v1/inspection-plans")),
    Route(
        "GET",
        "/api/v1/inspection-plans/{plan_id}",
        lambda role, relation: ALLOW if relation in SEES_TARGET else HIDE,
        call_json("GET", "/api/v1/inspection-plans/{rid}"),
        shared=lambda w: w.shared("plan", lambda: _plan(w)),
        guess=NOWHERE,
        basis="inferred",
        note="a plan is read like the organisation's other records: its subtree, any role",
    ),
    # --- findings (问题) and rectification (整改) ---
    Route(
        "POST",
        "/api/v1/findings",
        inspecting_side(INSPECTING),
        lambda w, c, rid: c.client.post(
            "/api/v1/findings", json={"inspection_id": rid, "org_code": TARGET, "title": w.unique("矩阵问题")}
        ),
        shared=conducted,
        witness=total("/api/v1/findings"),
        guess=NOWHERE,
        guess_in_body=True,
    ),
    Route("GET", "/api/v1/findings", everyone, call_json("GET", "/api/v1/findings")),
    Route(
        "GET",
        "/api/v1/findings/{finding_id}",
        sees,
        call_json("GET", "/api/v1/findings/{rid}"),
        shared=finding,
        guess=NOWHERE,
    ),
    Route(
        "POST",
        "/api/v1/findings/{finding_id}/rectification",
        inspecting_side(ORGANISING),
        call_json(
            "POST",
            "/api/v1/findings/{rid}/rectification",
            {"leading_leader": "matrix-leader", "working_days": 20, "requirements": "整改要求"},
        ),
        shared=finding,
        fresh=_finding,
        witness=total("/api/v1/rectifications"),
        guess=NOWHERE,
    ),
    Route("GET", "/api/v1/rectifications", everyone, call_json("GET", "/api/v1/rectifications")),
    Route(
        "POST",
        "/api/v1/rectification-scans",
        province_admin,
        call_json("POST", "/api/v1/rectification-scans"),
    ),
    Route(
        "GET",
        RECTIFICATION,
        sees,
        call_json("GET", "/api/v1/rectifications/{rid}"),
        shared=rectification,
        guess=NOWHERE,
    ),
    Route(
        "GET",
        RECTIFICATION + "/reports",
        sees,
        call_json("GET", "/api/v1/rectifications/{rid}/reports"),
        shared=rectification,
        guess=NOWHERE,
    ),
    Route(
        "POST",
        RECTIFICATION + "/reports",
        responsible_unit,
        call_json("POST", "/api/v1/rectifications/{rid}/reports", {"progress": "授权矩阵整改进展"}),
        shared=rectification,
        witness=_rectification_state,
        guess=NOWHERE,
    ),
    Route(
        "POST",
        RECTIFICATION + "/verify",
        inspecting_side(ORGANISING),
        call_json("POST", "/api/v1/rectifications/{rid}/verify", {"comment": "同意销号"}),
        shared=submitted,
        fresh=_submitted,
        witness=_rectification_state,
        guess=NOWHERE,
    ),
    Route(
        "POST",
        RECTIFICATION + "/reject",
        inspecting_side(ORGANISING),
        call_json("POST", "/api/v1/rectifications/{rid}/reject", {"reason": "整改不到位"}),
        shared=submitted,
        fresh=_submitted,
        witness=_rectification_state,
        guess=NOWHERE,
    ),
    Route(
        "POST",
        RECTIFICATION + "/listing",
        inspecting_side(ORGANISING),
        call_json("POST", "/api/v1/rectifications/{rid}/listing", {"action": "place", "reason": "挂牌督办"}),
        shared=rectification,
        fresh=_rectification,
        witness=_rectification_state,
        guess=NOWHERE,
    ),
    # --- exemptions, inspection load, representatives ---
    Route("GET", "/api/v1/exemptions", everyone, call_json("GET", "/api/v1/exemptions")),
    Route(
        "GET",
        "/api/v1/inspection-load",
        roles_only(READERS),
        call_json("GET", "/api/v1/inspection-load"),
        basis="inferred",
        note="督查频次: the office and the leaders, for their own subtree",
    ),
    Route(
        "GET",
        "/api/v1/dashboard/supervision",
        lambda role, relation: ALLOW if relation in SEES_TARGET else HIDE,
        call_json("GET", "/api/v1/dashboard/supervision", org=TARGET),
        note="督查看板 of 贵阳市: its subtree, any role",
    ),
    Route(
        "GET",
        "/api/v1/representatives-inspections",
        everyone,
        call_json("GET", "/api/v1/representatives-inspections"),
    ),
]
