"""The authorisation matrix rows of a task's flow in tasking: assigning, signing for, returning, decomposing,
changing, extending, reporting, completing, reviewing and archiving a task, its work plan, the ledger, the
import and export of tasks, and the settings its deadlines follow (expectations from
luoshi_tasking/tasks/permissions.py and docs/permissions.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.e2e.matrix_route import Route, call_json, listed, put_current, setting
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
    Caller,
    World,
    assigns_to_target,
    everyone,
    import_workbook,
    imports_to_target,
    in_scope,
    province_admin,
    task_action,
)


def _task_witness(w: World, rid: str) -> Any:
    return w.task_snapshot(rid)


def _tasks_total(w: World, rid: str) -> Any:
    return w.task_total()


def _read(tail: str, **extra: Any) -> Route:
    """A read of the target task (or of something of it) by whoever sees 贵阳市."""
    return Route(
        "GET",
        f"/api/v1/tasks/{{task_id}}{tail}",
        in_scope,
        call_json("GET", f"/api/v1/tasks/{{rid}}{tail}"),
        shared=lambda w: w.ids["task"],
        guess=NOWHERE,
        **extra,
    )


def _step(action: str, side: str, roles: frozenset[str], state: str, body: Any = None) -> Route:
    """A step of the task's flow taken from ``state``: each allowed caller takes it on a task of its own."""
    return Route(
        "POST",
        f"/api/v1/tasks/{{task_id}}/{action}",
        task_action(side, roles),
        call_json("POST", f"/api/v1/tasks/{{rid}}/{action}", body),
        shared=lambda w: w.task(state),
        guess=NOWHERE,
        fresh=lambda w: w.new_task(state),
        witness=_task_witness,
    )


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


TASK_FLOW_ROUTES: list[Route] = [
    # --- tasking: tasks (tasks/permissions.py) ---
    Route("POST", "/api/v1/tasks", assigns_to_target, _create_task, witness=_tasks_total),
    Route(
        "GET",
        "/api/v1/tasks",
        everyone,
        call_json("GET", "/api/v1/tasks", category=MATRIX_CATEGORY),
        sees_target=listed("task"),
    ),
    _read(""),
    _read("/events"),
    _step("accept", "own", WORKING, "assigned"),
    _step("return", "own", WORKING, "assigned", {"reason": "不属于本单位职责"}),
    _step("reassign", "parent", DIRECTING, "returned", {"lead_unit": TARGET, "reason": "重新交办"}),
    _step("cancel", "parent", DIRECTING, "assigned", {"reason": "部署调整"}),
    _read("/co-units"),
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
    _read("/decomposition/proposal"),
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
    _read("/extensions"),
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
    _step("complete", "own", WORKING, "accepted"),
    _step("review", "parent", DIRECTING, "completed", {"decision": "approve"}),
    _step("archive", "parent", DIRECTING, "closed"),
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
    _read("/reports"),
    # --- tasking: the task's work plan (not in the table) ---
    _read("/plan", basis="inferred"),
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
    # --- tasking: the deadlines' settings of the whole platform (not in the table) ---
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
        witness=setting("/api/v1/calendar/2150"),
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
        put_current(
            "/api/v1/deadline-rules",
            ("due_soon_working_days", "lagging_tolerance_points", "scan_interval_seconds"),
        ),
        witness=setting("/api/v1/deadline-rules"),
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
]
