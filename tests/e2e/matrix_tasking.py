"""The authorisation matrix rows of tasking's routes: tasks, plans, letters, meetings, the ledger, platform
settings and important documents (expectations from luoshi_tasking/tasks/permissions.py and
docs/permissions.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.e2e.matrix_route import Route, call_json, listed
from tests.e2e.matrix_world import (
    CHILD,
    DEADLINE,
    DIRECTING,
    MATRIX_CATEGORY,
    NOWHERE,
    TARGET,
    TODAY,
    UNKNOWN_ORG,
    WORKING,
    Call,
    Caller,
    Witness,
    World,
    assigns_to_target,
    creates_for_target,
    document_body,
    everyone,
    import_workbook,
    imports_to_target,
    in_scope,
    province_admin,
    scoped,
    session_body,
    task_action,
)


def _task_witness(w: World, rid: str) -> Any:
    return w.task_snapshot(rid)


def _tasks_total(w: World, rid: str) -> Any:
    return w.task_total()


def _confirm(w: World, c: Caller, rid: str) -> httpx.Response:
    return c.client.post(f"/api/v1/tasks/{rid}/co-units/{CHILD}/confirm", json={"note": "协办确认"})


def _subtasks(w: World, c: Caller, rid: str) -> httpx.Response:
    body = {
        "items": [
            {"title": w.unique("授权矩阵子任务"), "deadline": (TODAY + timedelta(days=100)).isoformat()}
        ]
    }
    return c.client.post(f"/api/v1/tasks/{rid}/subtasks", json=body)


def _patch_task(w: World, c: Caller, rid: str) -> httpx.Response:
    body = {"reason": "授权矩阵变更", "title": w.unique("授权矩阵变更后")}
    return c.client.patch(f"/api/v1/tasks/{rid}", json=body)


def _request_extension(w: World, c: Caller, rid: str) -> httpx.Response:
    body = {"requested_deadline": (DEADLINE + timedelta(days=20)).isoformat(), "reason": "授权矩阵延期"}
    return c.client.post(f"/api/v1/tasks/{rid}/extensions", json=body)


def _decide_extension(w: World, c: Caller, rid: str) -> httpx.Response:
    task_id, _, extension_id = rid.partition("|")
    path = f"/api/v1/tasks/{task_id}/extensions/{extension_id or NOWHERE}/decision"
    return c.client.post(path, json={"decision": "approve", "comment": "同意"})


def _extension_witness(w: World, rid: str) -> Any:
    return w.task_snapshot(rid.partition("|")[0])


def _ledger_entry(w: World, c: Caller, rid: str) -> httpx.Response:
    body = {"task_id": rid, "kind": "dispatch", "note": "周调度"}
    return c.client.post(f"/api/v1/ledger/{TARGET}/entries", json=body)


def _create_task(w: World, c: Caller, rid: str) -> httpx.Response:
    body = {"title": "授权矩阵交办", "lead_unit": TARGET, "deadline": DEADLINE.isoformat()}
    return c.client.post("/api/v1/tasks", json=body)


def _import(w: World, c: Caller, rid: str) -> httpx.Response:
    files = {"file": ("tasks.xlsx", import_workbook(), "application/octet-stream")}
    return c.client.post("/api/v1/tasks/import", files=files)


def _documents_total(w: World, rid: str) -> Any:
    return w.admin.get("/api/v1/documents", params={"limit": 1}).json()["total"]


def _document(w: World, rid: str) -> Any:
    return w.admin.get(f"/api/v1/documents/{rid}").json()


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


def _total(path: str) -> Witness:
    return lambda w, rid: w.admin.get(path, params={"limit": 1}).json()["total"]


def _setting(path: str) -> Witness:
    return lambda w, rid: w.admin.get(path).json()


def _put_current(path: str, fields: tuple[str, ...]) -> Call:
    """Writes the setting's current values back: allowed callers change nothing but who saved it last."""

    def call(w: World, c: Caller, rid: str) -> httpx.Response:
        current = w.admin.get(path).json()
        return c.client.put(path, json={k: current[k] for k in fields})

    return call


DECIDING_ROLES_NOTE = "not in the table; like 交办 (principal, deputy, office, admin)"


TASKING_ROUTES: list[Route] = [
    # --- tasking: tasks (tasks/permissions.py) ---
    Route("POST", "/api/v1/tasks", assigns_to_target, _create_task, witness=_tasks_total),
    Route(
        "GET",
        "/api/v1/tasks",
        everyone,
        call_json("GET", "/api/v1/tasks", category=MATRIX_CATEGORY),
        sees_target=listed("task"),
    ),
    Route(
        "GET",
        "/api/v1/tasks/{task_id}",
        in_scope,
        call_json("GET", "/api/v1/tasks/{rid}"),
        shared=lambda w: w.ids["task"],
        guess=NOWHERE,
    ),
    Route(
        "GET",
        "/api/v1/tasks/{task_id}/events",
        in_scope,
        call_json("GET", "/api/v1/tasks/{rid}/events"),
        shared=lambda w: w.ids["task"],
        guess=NOWHERE,
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task_id}/accept",
        task_action("own", WORKING),
        call_json("POST", "/api/v1/tasks/{rid}/accept"),
        shared=lambda w: w.task("assigned"),
        guess=NOWHERE,
        fresh=lambda w: w.new_task("assigned"),
        witness=_task_witness,
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task_id}/return",
        task_action("own", WORKING),
        call_json("POST", "/api/v1/tasks/{rid}/return", {"reason": "不属于本单位职责"}),
        shared=lambda w: w.task("assigned"),
        guess=NOWHERE,
        fresh=lambda w: w.new_task("assigned"),
        witness=_task_witness,
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task_id}/reassign",
        task_action("parent", DIRECTING),
        call_json("POST", "/api/v1/tasks/{rid}/reassign", {"lead_unit": TARGET, "reason": "重新交办"}),
        shared=lambda w: w.task("returned"),
        guess=NOWHERE,
        fresh=lambda w: w.new_task("returned"),
        witness=_task_witness,
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task_id}/cancel",
        task_action("parent", DIRECTING),
        call_json("POST", "/api/v1/tasks/{rid}/cancel", {"reason": "部署调整"}),
        shared=lambda w: w.task("assigned"),
        guess=NOWHERE,
        fresh=lambda w: w.new_task("assigned"),
        witness=_task_witness,
    ),
    Route(
        "GET",
        "/api/v1/tasks/{task_id}/co-units",
        in_scope,
        call_json("GET", "/api/v1/tasks/{rid}/co-units"),
        shared=lambda w: w.ids["task"],
        guess=NOWHERE,
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task_id}/co-units/{code}/confirm",
        # On a task whose co-unit is 南明区: it sees the task, and only it confirms.
        task_action("child", WORKING, seen=("own", "parent", "child")),
        _confirm,
        shared=lambda w: w.shared("co-unit task", w.co_unit_task),
        guess=NOWHERE,
        fresh=World.co_unit_task,
        witness=_task_witness,
    ),
    Route(
        "GET",
        "/api/v1/tasks/{task_id}/decomposition/proposal",
        in_scope,
        call_json("GET", "/api/v1/tasks/{rid}/decomposition/proposal"),
        shared=lambda w: w.ids["task"],
        guess=NOWHERE,
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task_id}/subtasks",
        task_action("own", DIRECTING),
        _subtasks,
        shared=lambda w: w.task("accepted", "decompose"),
        guess=NOWHERE,
        witness=_task_witness,
    ),
    Route(
        "PATCH",
        "/api/v1/tasks/{task_id}",
        task_action("parent", DIRECTING),
        _patch_task,
        shared=lambda w: w.task("accepted", "patch"),
        guess=NOWHERE,
        witness=_task_witness,
        note="任务变更 by the issuer (docs/permissions.md)",
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task_id}/extensions",
        task_action("own", WORKING),
        _request_extension,
        shared=lambda w: w.task("accepted", "extension"),
        guess=NOWHERE,
        fresh=lambda w: w.new_task("accepted"),  # one pending request per task
        witness=_task_witness,
        note="延期申请 by the lead unit (docs/permissions.md)",
    ),
    Route(
        "GET",
        "/api/v1/tasks/{task_id}/extensions",
        in_scope,
        call_json("GET", "/api/v1/tasks/{rid}/extensions"),
        shared=lambda w: w.ids["task"],
        guess=NOWHERE,
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task_id}/extensions/{extension_id}/decision",
        task_action("parent", DIRECTING),
        _decide_extension,
        shared=lambda w: w.shared("extension", w.extension),
        guess=NOWHERE,
        fresh=World.extension,
        witness=_extension_witness,
        note="延期审批 by the issuer (docs/permissions.md)",
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task_id}/complete",
        task_action("own", WORKING),
        call_json("POST", "/api/v1/tasks/{rid}/complete"),
        shared=lambda w: w.task("accepted"),
        guess=NOWHERE,
        fresh=lambda w: w.new_task("accepted"),
        witness=_task_witness,
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task_id}/review",
        task_action("parent", DIRECTING),
        call_json("POST", "/api/v1/tasks/{rid}/review", {"decision": "approve"}),
        shared=lambda w: w.task("completed"),
        guess=NOWHERE,
        fresh=lambda w: w.new_task("completed"),
        witness=_task_witness,
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task_id}/archive",
        task_action("parent", DIRECTING),
        call_json("POST", "/api/v1/tasks/{rid}/archive"),
        shared=lambda w: w.task("closed"),
        guess=NOWHERE,
        fresh=lambda w: w.new_task("closed"),
        witness=_task_witness,
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task_id}/reports",
        task_action("own", WORKING),  # lead or co-unit; this task has no co-unit
        call_json(
            "POST",
            "/api/v1/tasks/{rid}/reports",
            {"progress_percent": 30, "progress": "按计划推进", "problems": "无", "measures": "加快进度"},
        ),
        shared=lambda w: w.task("accepted", "reports"),
        guess=NOWHERE,
        witness=_task_witness,
    ),
    Route(
        "GET",
        "/api/v1/tasks/{task_id}/reports",
        in_scope,
        call_json("GET", "/api/v1/tasks/{rid}/reports"),
        shared=lambda w: w.ids["task"],
        guess=NOWHERE,
    ),
    # --- tasking: plans, letters, meetings (not in the table) ---
    Route(
        "GET",
        "/api/v1/tasks/{task_id}/plan",
        in_scope,
        call_json("GET", "/api/v1/tasks/{rid}/plan"),
        shared=lambda w: w.ids["task"],
        guess=NOWHERE,
        basis="inferred",
    ),
    Route(
        "PUT",
        "/api/v1/tasks/{task_id}/plan",
        task_action("own", WORKING),
        call_json(
            "PUT",
            "/api/v1/tasks/{rid}/plan",
            {"start": TODAY.isoformat(), "end": DEADLINE.isoformat(), "notes": "分三阶段推进"},
        ),
        shared=lambda w: w.task("accepted", "plan"),
        guess=NOWHERE,
        witness=_task_witness,
        basis="inferred",
        note="the lead unit's work plan, like 落实反馈; a superior acts only as issuer (table §2)",
    ),
    Route(
        "POST",
        "/api/v1/responsibility-letters",
        creates_for_target(DIRECTING),
        call_json("POST", "/api/v1/responsibility-letters", letter_body()),
        witness=_total("/api/v1/responsibility-letters"),
        basis="inferred",
        note=DECIDING_ROLES_NOTE,
    ),
    Route(
        "GET",
        "/api/v1/responsibility-letters",
        everyone,
        call_json("GET", "/api/v1/responsibility-letters", limit=200),
        sees_target=listed("letter"),
        basis="inferred",
    ),
    Route(
        "POST",
        "/api/v1/dispatch-meetings",
        creates_for_target(DIRECTING),
        call_json("POST", "/api/v1/dispatch-meetings", meeting_body()),
        witness=_total("/api/v1/dispatch-meetings"),
        basis="inferred",
        note="a principal's 调度会: " + DECIDING_ROLES_NOTE,
    ),
    Route(
        "GET",
        "/api/v1/dispatch-meetings",
        everyone,
        call_json("GET", "/api/v1/dispatch-meetings", limit=200),
        sees_target=listed("meeting"),
        basis="inferred",
    ),
    Route(
        "GET",
        "/api/v1/dispatch-meetings/gaps",
        in_scope,
        call_json("GET", "/api/v1/dispatch-meetings/gaps", org=TARGET),
        basis="inferred",
    ),
    # --- tasking: ledger (tasks/permissions.py: ledger entry, the ledger's unit) ---
    Route(
        "POST",
        "/api/v1/ledger/{org_code}/entries",
        task_action("own", WORKING),
        _ledger_entry,
        shared=lambda w: w.task("accepted", "ledger"),
        guess=NOWHERE,
        # The guessed task id is in the body, the ledger (in scope) in the path: a refused role gets
        # its 403 before the task is looked up, which reveals nothing about the task.
        guess_in_body=True,
        fresh=lambda w: w.new_task("accepted"),
        witness=_task_witness,
    ),
    Route(
        "GET",
        "/api/v1/ledger/{org_code}",
        in_scope,
        call_json("GET", "/api/v1/ledger/{rid}"),
        shared=lambda w: TARGET,
        guess=UNKNOWN_ORG,
    ),
    Route(
        "GET",
        "/api/v1/tasks/export",
        in_scope,
        call_json("GET", "/api/v1/tasks/export", org=TARGET),
        basis="inferred",
    ),
    Route(
        "GET",
        "/api/v1/tasks/import/template",
        everyone,
        call_json("GET", "/api/v1/tasks/import/template"),
        basis="inferred",
    ),
    Route(
        "POST",
        "/api/v1/tasks/import",
        imports_to_target,
        _import,
        witness=_tasks_total,
        note="imports 交办 tasks: the assign rule",
    ),
    # --- tasking: settings of the whole platform (not in the table) ---
    Route(
        "GET",
        "/api/v1/calendar/{year}",
        everyone,
        call_json("GET", "/api/v1/calendar/2150"),
        basis="inferred",
    ),
    Route(
        "PUT",
        "/api/v1/calendar/{year}",
        province_admin,
        call_json("PUT", "/api/v1/calendar/2150", {"holidays": [], "workdays": [], "note": "授权矩阵"}),
        witness=_setting("/api/v1/calendar/2150"),
        basis="inferred",
        note="the province's working calendar: only the province's administrator",
    ),
    Route(
        "GET",
        "/api/v1/deadline-rules",
        everyone,
        call_json("GET", "/api/v1/deadline-rules"),
        basis="inferred",
    ),
    Route(
        "PUT",
        "/api/v1/deadline-rules",
        province_admin,
        _put_current(
            "/api/v1/deadline-rules",
            ("due_soon_working_days", "lagging_tolerance_points", "scan_interval_seconds"),
        ),
        witness=_setting("/api/v1/deadline-rules"),
        basis="inferred",
        note="province-wide rules: only the province's administrator",
    ),
    Route(
        "POST",
        "/api/v1/deadline-scans",
        province_admin,
        call_json("POST", "/api/v1/deadline-scans"),
        basis="inferred",
        note="scans every unit's tasks: only the province's administrator",
    ),
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
        _put_current(
            "/api/v1/documents/rules",
            ("study_working_days", "important_study_working_days", "report_working_days"),
        ),
        witness=_setting("/api/v1/documents/rules"),
        basis="inferred",
        note="province-wide rules: only the province's administrator",
    ),
    # --- tasking: important documents (not in the table) ---
    Route(
        "POST",
        "/api/v1/documents",
        creates_for_target(DIRECTING),
        call_json("POST", "/api/v1/documents", document_body()),
        witness=_documents_total,
        basis="inferred",
        note=DECIDING_ROLES_NOTE,
    ),
    Route(
        "GET",
        "/api/v1/documents",
        everyone,
        call_json("GET", "/api/v1/documents", limit=200),
        sees_target=listed("document"),
        basis="inferred",
    ),
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
