"""The authorisation matrix rows of tasking's records beside the tasks: responsibility letters (目标责任书),
dispatch meetings (调度会), important documents (重要文件) and the rules their deadlines follow. None of them
is in the permission table: the expectations are inferred (see matrix_route.py)."""

from __future__ import annotations

from typing import Any

from tests.e2e.matrix_route import Route, call_json, listed, put_current, setting, total
from tests.e2e.matrix_world import (
    DIRECTING,
    NOWHERE,
    TARGET,
    TODAY,
    World,
    creates_for_target,
    document_body,
    everyone,
    in_scope,
    province_admin,
    scoped,
    session_body,
)

DECIDING_ROLES_NOTE = "not in the table; like 交办 (principal, deputy, office, admin)"


def letter_body() -> dict[str, Any]:
    return {
        "issuing_org": TARGET,
        "signing_org": f"{TARGET}D01",  # a department of the target, so 南明区 has no part in it
        "title": "年度目标责任书",
        "year": TODAY.year,
        "targets": "完成年度重点任务",
        "signed_on": TODAY.isoformat(),
    }


def meeting_body() -> dict[str, Any]:
    return {"org_code": TARGET, "kind": "principal", "held_on": TODAY.isoformat(), "topic": "重点工作调度"}


def _created_and_listed(path: str, body: dict[str, Any], key: str, note: str) -> list[Route]:
    """Created for 贵阳市 by a deciding role of it or above; listed to everyone, 贵阳市's own only to those
    who see it (``key``: the one made for the matrix in advance)."""
    return [
        Route(
            "POST",
            path,
            creates_for_target(DIRECTING),
            call_json("POST", path, body),
            witness=total(path),
            basis="inferred",
            note=note,
        ),
        Route(
            "GET",
            path,
            everyone,
            call_json("GET", path, limit=200),
            sees_target=listed(key),
            basis="inferred",
        ),
    ]


def _document(w: World, rid: str) -> Any:
    return w.admin.get(f"/api/v1/documents/{rid}").json()


TASKING_DOCUMENT_ROUTES: list[Route] = [
    # --- tasking: letters, meetings ---
    *_created_and_listed("/api/v1/responsibility-letters", letter_body(), "letter", DECIDING_ROLES_NOTE),
    *_created_and_listed(
        "/api/v1/dispatch-meetings", meeting_body(), "meeting", "a principal's 调度会: " + DECIDING_ROLES_NOTE
    ),
    Route(
        "GET",
        "/api/v1/dispatch-meetings/gaps",
        in_scope,
        call_json("GET", "/api/v1/dispatch-meetings/gaps", org=TARGET),
        basis="inferred",
    ),
    # --- tasking: important documents and their rules ---
    Route(
        "GET",
        "/api/v1/documents/rules",
        everyone,
        call_json("GET", "/api/v1/documents/rules"),
        basis="inferred",
    ),
    Route(
        "PUT",
        "/api/v1/documents/rules",
        province_admin,
        put_current(
            "/api/v1/documents/rules",
            ("study_working_days", "important_study_working_days", "report_working_days"),
        ),
        witness=setting("/api/v1/documents/rules"),
        basis="inferred",
        note="province-wide rules: only the province's administrator",
    ),
    *_created_and_listed("/api/v1/documents", document_body(), "document", DECIDING_ROLES_NOTE),
    Route(
        "GET",
        "/api/v1/documents/{document_id}",
        in_scope,
        call_json("GET", "/api/v1/documents/{rid}"),
        shared=World.document,
        guess=NOWHERE,
        basis="inferred",
    ),
    Route(
        "POST",
        "/api/v1/documents/{document_id}/sessions",
        scoped(DIRECTING),
        call_json("POST", "/api/v1/documents/{rid}/sessions", session_body()),
        shared=World.document,
        guess=NOWHERE,
        witness=_document,
        basis="inferred",
        note=DECIDING_ROLES_NOTE,
    ),
    Route(
        "POST",
        "/api/v1/documents/{document_id}/reports",
        scoped(DIRECTING),
        call_json(
            "POST",
            "/api/v1/documents/{rid}/reports",
            {"reported_on": TODAY.isoformat(), "content": "学习解读情况"},
        ),
        shared=World.document,
        guess=NOWHERE,
        witness=_document,
        basis="inferred",
        note=DECIDING_ROLES_NOTE,
    ),
]
