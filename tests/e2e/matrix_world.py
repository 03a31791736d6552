"""The authorisation matrix's vocabulary: roles and relations, expected outcomes and the rules that
give them, the people and resources a run creates (World), and request bodies."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from openpyxl import Workbook

from luoshi_kit.timebase import business_today

ROLES = ("principal", "deputy", "handler", "office", "inspector", "representative", "assessor", "admin")
RELATIONS = {
    "own": "520100000000",
    "child": "520102000000",
    "sibling": "520200000000",
    "parent": "520000000000",
}
TARGET = RELATIONS["own"]
CHILD = RELATIONS["child"]
PASSWORD = "matrix-password-1"
# The services' "today" (Asia/Shanghai): from 16:00 UTC the UTC date is a day behind it, and a plan ending
# "today" by UTC was refused as past (a CI run in the evening failed 31 cells so).
TODAY = business_today()
DEADLINE = TODAY + timedelta(days=300)
MATRIX_CATEGORY = "授权矩阵"
NOWHERE = "00000000-0000-0000-0000-000000000000"  # a guessed id
UNKNOWN_ORG = "529900000000"  # well-formed, in Guizhou's range, but no such organisation

WORKING = frozenset({"principal", "deputy", "office", "handler", "admin"})  # permissions.WORKING_ROLES
DIRECTING = frozenset({"principal", "deputy", "office", "admin"})  # permissions.DIRECTING_ROLES
SEES_TARGET = ("own", "parent")  # whose subtree holds 贵阳市


@dataclass(frozen=True)
class Expect:
    statuses: frozenset[int] | None  # None: any 2xx
    why: str

    @property
    def allows(self) -> bool:
        return self.statuses is None

    def matches(self, status: int) -> bool:
        return 200 <= status < 300 if self.statuses is None else status in self.statuses


ALLOW = Expect(None, "allowed (2xx)")
DENY = Expect(frozenset({403}), "denied (403)")
HIDE = Expect(frozenset({404}), "hidden (404)")
# Naming an organisation outside one's subtree — in a filter or in a body — answers 404 like any other
# object out of scope (docs/permissions.md); only assigning to one's own organisation, which is in scope
# but not below, is 422 assign-outside-subtree (tests/e2e/test_bad_input.py).
OUTSIDE = Expect(frozenset({404}), "refused: organisation outside the subtree (404)")
DOWNWARD_ONLY = Expect(
    frozenset({422}), "refused: assignment goes only downward (422 assign-outside-subtree)"
)

Rule = Callable[[str, str], Expect]


def everyone(role: str, relation: str) -> Expect:
    return ALLOW


def in_scope(role: str, relation: str) -> Expect:
    """Any role, as long as the target lies in the caller's subtree."""
    return ALLOW if relation in SEES_TARGET else HIDE


def scoped(roles: frozenset[str]) -> Rule:
    """Only ``roles``, within the subtree; 403 in scope, 404 outside."""

    def rule(role: str, relation: str) -> Expect:
        if relation not in SEES_TARGET:
            return HIDE
        return ALLOW if role in roles else DENY

    return rule


def creates_for_target(roles: frozenset[str]) -> Rule:
    """A create whose body names the target: the role first, then the organisation must be in scope."""

    def rule(role: str, relation: str) -> Expect:
        if role not in roles:
            return DENY
        return ALLOW if relation in SEES_TARGET else OUTSIDE

    return rule


def from_above(roles: frozenset[str], own: Expect = DOWNWARD_ONLY) -> Rule:
    """A write aimed at 贵阳市 itself: the role first, then in scope, then only from strictly above it
    (``own``: what 贵阳市's own callers get)."""

    def rule(role: str, relation: str) -> Expect:
        if role not in roles:
            return DENY
        if relation not in SEES_TARGET:
            return OUTSIDE
        return ALLOW if relation == "parent" else own

    return rule


# 交办 to 贵阳市: principal, deputy, office, admin, and only from strictly above it (is_below).
assigns_to_target = from_above(DIRECTING)


# A spreadsheet import answers every bad row at once: a row naming an organisation outside the subtree
# is one of the row errors of a 422 import-invalid (its message is the same as for an unknown unit).
OUTSIDE_ROW = Expect(frozenset({422}), "refused: a row names an organisation outside the subtree (422)")


def imports_to_target(role: str, relation: str) -> Expect:
    """A workbook of 交办 rows to 贵阳市: the assign rule, reported per row."""
    expect = assigns_to_target(role, relation)
    return OUTSIDE_ROW if expect is OUTSIDE else expect


def task_action(side: str, roles: frozenset[str], seen: tuple[str, ...] = SEES_TARGET) -> Rule:
    """permissions.require: who does not see the task gets 404; on the wrong side or role, 403."""

    def rule(role: str, relation: str) -> Expect:
        if relation not in seen:
            return HIDE
        return ALLOW if relation == side and role in roles else DENY

    return rule


def province_admin(role: str, relation: str) -> Expect:
    """A setting that governs every unit of the province lies above a city's or county's subtree."""
    return ALLOW if role == "admin" and relation == "parent" else DENY


def recipient_only(role: str, relation: str) -> Expect:
    """A notification is its recipient's (贵阳市's handler); to anyone else it does not exist."""
    return ALLOW if (role, relation) == ("handler", "own") else HIDE


@dataclass
class Caller:
    role: str
    relation: str
    username: str
    person_id: str
    client: httpx.Client
    refresh_token: str


class World:
    """The people of the matrix and the target's resources, made through the API."""

    def __init__(self, base_url: str, admin: httpx.Client, office: httpx.Client) -> None:
        self.base_url = base_url
        self.admin = admin  # demo province administrator: the allowed reader for read-backs
        self.anonymous = httpx.Client(base_url=base_url, timeout=10)
        self.office = office  # demo province office: issues the target's tasks
        self.callers: dict[tuple[str, str], Caller] = {}
        self.ids: dict[str, str] = {}
        self._counter = itertools.count(1)
        self._departments = itertools.count(60)
        self._shared: dict[str, str] = {}

    def unique(self, prefix: str) -> str:
        return f"{prefix}{next(self._counter)}"

    def caller(self, role: str, relation: str) -> Caller:
        return self.callers[(role, relation)]

    def sign_in(self, username: str, password: str = PASSWORD) -> httpx.Response:
        return httpx.post(
            f"{self.base_url}/api/v1/auth/token",
            data={"username": username, "password": password},
            timeout=10,
        )

    def shared(self, key: str, make: Callable[[], str]) -> str:
        if key not in self._shared:
            self._shared[key] = make()
        return self._shared[key]

    def new_task(self, state: str = "assigned", co_units: tuple[str, ...] = (), **extra: Any) -> str:
        body = {
            "title": self.unique("授权矩阵任务"),
            "lead_unit": TARGET,
            "deadline": DEADLINE.isoformat(),
            "co_units": list(co_units),
            **extra,
        }
        response = self.office.post("/api/v1/tasks", json=body)
        assert response.status_code == 201, response.text
        task_id: str = response.json()["id"]
        lead = self.caller("principal", "own").client
        steps: dict[str, list[tuple[httpx.Client, str, dict[str, Any] | None]]] = {
            "assigned": [],
            "returned": [(lead, "return", {"reason": "不属于本单位职责"})],
            "accepted": [(lead, "accept", None)],
            "completed": [(lead, "accept", None), (lead, "complete", None)],
            "closed": [
                (lead, "accept", None),
                (lead, "complete", None),
                (self.office, "review", {"decision": "approve"}),
            ],
        }
        for client, action, payload in steps[state]:
            step = client.post(f"/api/v1/tasks/{task_id}/{action}", json=payload)
            assert step.status_code == 200, f"{action}: {step.text}"
        return task_id

    def task(self, state: str, key: str = "") -> str:
        return self.shared(f"task:{state}:{key}", lambda: self.new_task(state))

    def co_unit_task(self) -> str:
        return self.new_task(co_units=(CHILD,))

    def extension(self) -> str:
        """An accepted task of the target with a pending extension request: ``task_id|extension_id``."""
        task_id = self.new_task("accepted")
        body = {"requested_deadline": (DEADLINE + timedelta(days=30)).isoformat(), "reason": "授权矩阵延期"}
        response = self.caller("principal", "own").client.post(
            f"/api/v1/tasks/{task_id}/extensions", json=body
        )
        assert response.status_code == 201, response.text
        return f"{task_id}|{response.json()['id']}"

    def task_snapshot(self, task_id: str) -> Any:
        """Everything a task route could write, read back by the province administrator."""
        a = self.admin
        task = a.get(f"/api/v1/tasks/{task_id}").json()
        task.pop("status", None)  # derived from today's date, not stored
        return (
            task,
            len(a.get(f"/api/v1/tasks/{task_id}/events").json()),
            a.get(f"/api/v1/tasks/{task_id}/reports").json()["total"],
            a.get(f"/api/v1/tasks/{task_id}/co-units").json(),
            a.get(f"/api/v1/tasks/{task_id}/plan").json()["version"],
            a.get("/api/v1/tasks", params={"parent_id": task_id, "limit": 1, "total": "1"}).json()["total"],
            a.get(f"/api/v1/ledger/{TARGET}", params={"limit": 200}).json(),
            a.get(f"/api/v1/tasks/{task_id}/extensions").json(),
        )

    def task_total(self) -> int:
        return int(self.admin.get("/api/v1/tasks", params={"limit": 1, "total": "true"}).json()["total"])

    def document(self) -> str:
        def make() -> str:
            response = self.office.post("/api/v1/documents", json=document_body())
            assert response.status_code == 201, response.text
            doc_id: str = response.json()["id"]
            session = self.office.post(f"/api/v1/documents/{doc_id}/sessions", json=session_body())
            assert session.status_code == 201, session.text
            return doc_id

        return self.shared("document", make)

    def department(self) -> str:
        def make() -> str:
            body = {"kind": "department", "parent_code": TARGET, "name": "授权矩阵局", "code": f"{TARGET}D59"}
            response = self.admin.post("/api/v1/orgs", json=body)
            assert response.status_code == 201, response.text
            return f"{TARGET}D59"

        return self.shared("department", make)

    def new_department_code(self) -> str:
        return f"{TARGET}D{next(self._departments)}"


def document_body() -> dict[str, Any]:
    return {
        "title": "关于加强数字政府建设的指导意见",
        "issuer_level": "国务院",
        "reference": "国发〔2026〕9号",
        "issue_date": (TODAY - timedelta(days=3)).isoformat(),
        "org_code": TARGET,
    }


def session_body() -> dict[str, Any]:
    return {"held_on": TODAY.isoformat(), "attendees": "市政府领导班子", "summary": "背景、新要求、落实打算"}


def import_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["任务名称", "牵头单位代码", "完成时限"])
    sheet.append(["授权矩阵导入任务", TARGET, datetime.combine(DEADLINE, datetime.min.time())])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


Call = Callable[[World, Caller, str], httpx.Response]
Make = Callable[[World], str]
Witness = Callable[[World, str], Any]
