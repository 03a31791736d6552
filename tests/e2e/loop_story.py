"""The closed loop's story (tests/e2e/test_closed_loop.py): its people, the means every stage uses, and the
stages in tasking — the important document, the key task decomposed down to a township, reports and an
extension, the lagging quarter that goes overdue, the close-out and the timelines. The oversight stages are
in loop_oversight.py."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from luoshi_cli.demo.oversight import quarter_of
from tests.e2e.cluster import Cluster, wait_until

PROVINCE, DEPT, CITY = "520000000000", "520000000000D01", "520100000000"
NANMING, YUNYAN, TOWNSHIP = "520102000000", "520103000000", "520102001000"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url}: {response.text}"
    )
    return response.json() if response.content else None


def _account(cluster: Cluster, code: str, role: str) -> httpx.Client:
    """Give a seeded person (p-<code>-<role>) a sign-in name and the demo password, and sign in."""
    admin = cluster.client("admin")
    username = f"loop_{code}_{role}"
    person = f"p-{code}-{role}"
    ok(admin.patch(f"/api/v1/people/{person}", json={"username": username}))
    ok(admin.post(f"/api/v1/people/{person}/password", json={"new_password": cluster.demo_password}), 204)
    return cluster.client(username)


@dataclass
class Story:
    cluster: Cluster
    office: httpx.Client  # 贵州省人民政府办公厅
    admin: httpx.Client
    dept: httpx.Client
    city: httpx.Client
    nanming: httpx.Client
    nanming_principal: httpx.Client
    yunyan: httpx.Client
    township: httpx.Client
    root: str = ""
    lagging: dict[str, Any] | None = None  # 南明区's first quarter: lags, goes overdue
    ours: dict[str, list[dict[str, Any]]] | None = None
    town_task: str = ""
    # The business date (Asia/Shanghai) when the story starts, not when the module was imported.
    today: date = field(default_factory=lambda: datetime.now(SHANGHAI).date())
    # (event type, subject) of the events 贵阳市's platforms must each get once: every step adds its own.
    events: list[tuple[str, str]] = field(default_factory=list)

    @property
    def quarter(self) -> str:
        return quarter_of(self.today)


def cast(cluster: Cluster) -> Story:
    return Story(
        cluster=cluster,
        office=cluster.client("province_office"),
        admin=cluster.client("admin"),
        dept=_account(cluster, DEPT, "principal"),
        city=_account(cluster, CITY, "office"),
        nanming=_account(cluster, NANMING, "office"),
        nanming_principal=_account(cluster, NANMING, "principal"),
        yunyan=_account(cluster, YUNYAN, "office"),
        township=_account(cluster, TOWNSHIP, "principal"),
    )


def _backdate(cluster: Cluster, task_id: str, deadline: date, started: date) -> None:
    """Let time pass for one task: it was created, started and accepted on ``started``; ``deadline`` moves."""

    async def run() -> None:
        url = cluster.env["LUOSHI_DATABASE_URL"].format(service="tasking")
        engine = create_async_engine(url, poolclass=pool.NullPool)
        at = datetime.combine(started, datetime.min.time(), SHANGHAI)
        moved = {"d": deadline, "s": started, "at": at, "id": task_id}
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    text(
                        "UPDATE task SET deadline = :d, start_date = :s, created_at = :at, accepted_at = :at "
                        "WHERE id = :id"
                    ),
                    moved,
                )
                await conn.execute(text("UPDATE task_scope SET deadline = :d WHERE task_id = :id"), moved)
        finally:
            await engine.dispose()

    asyncio.run(run())


def timeline(client: httpx.Client, task_id: str) -> list[dict[str, Any]]:
    return ok(client.get(f"/api/v1/tasks/{task_id}/timeline", params={"limit": 200}))["items"]


def on_timeline(client: httpx.Client, task_id: str, event_type: str) -> dict[str, Any]:
    def seen() -> dict[str, Any] | None:
        return next((i for i in timeline(client, task_id) if i["event_type"] == event_type), None)

    return wait_until(seen, 30, f"{event_type} on the timeline of {task_id}", interval=0.5)


def eventually(probe: Callable[[], Any], what: str) -> Any:
    return wait_until(probe, 30, what, interval=0.5)


def _report(client: httpx.Client, task_id: str, percent: int) -> None:
    body = {
        "progress_percent": percent,
        "progress": f"完成{percent}%",
        "problems": "无",
        "measures": "按计划推进",
    }
    ok(client.post(f"/api/v1/tasks/{task_id}/reports", json=body), 201)


def finish(worker: httpx.Client, issuer: httpx.Client, task_id: str) -> None:
    _report(worker, task_id, 100)
    ok(worker.post(f"/api/v1/tasks/{task_id}/complete", json={"note": "已完成"}))
    review = {"decision": "approve", "reason": "经核查完成"}
    ok(issuer.post(f"/api/v1/tasks/{task_id}/review", json=review))


def document(s: Story) -> None:
    body = {
        "title": "关于夯实基础创新机制提升各级政府执行力落实力的意见",
        "issuer_level": "国务院",
        "reference": "国发〔2026〕8号",
        "issue_date": s.today.isoformat(),
        "org_code": DEPT,
    }
    doc = ok(s.office.post("/api/v1/documents", json=body), 201)
    assert doc["status"] == "study_pending" and doc["study_due"] > s.today.isoformat()
    path = f"/api/v1/documents/{doc['id']}"
    session = {
        "held_on": s.today.isoformat(),
        "attendees": "厅领导班子成员",
        "summary": "背景、新要求、落实打算",
    }
    ok(s.dept.post(f"{path}/sessions", json=session), 201)
    after = ok(s.dept.get(path))
    assert after["status"] == "report_pending" and after["report_due"] > s.today.isoformat()
    report = {"reported_on": s.today.isoformat(), "content": "学习解读情况报告"}
    ok(s.dept.post(f"{path}/reports", json=report), 201)
    assert ok(s.office.get(path))["status"] == "reported"


def decompose(s: Story) -> None:
    """The key task, down to the counties by quarter, and to a township."""
    body = {
        "title": "重点项目建设攻坚",
        "lead_unit": CITY,
        "deadline": date(s.today.year + 1, 6, 30).isoformat(),
        "nature": "yearly",
        "source_level": "省政府",
        "source_ref": "国发〔2026〕8号",
        "category": "目标体系",
    }
    s.root = ok(s.office.post("/api/v1/tasks", json=body), 201)["id"]
    ok(s.city.post(f"/api/v1/tasks/{s.root}/accept"))
    proposal = ok(s.city.get(f"/api/v1/tasks/{s.root}/decomposition/proposal", params={"kind": "quarter"}))
    quarters = proposal["items"][:2]
    assert len(quarters) == 2 and all(q["period_kind"] == "quarter" for q in quarters)
    items = [
        {**q, "title": f"{name}{q['title']}", "lead_unit": code}
        for q in quarters
        for code, name in ((NANMING, "南明区"), (YUNYAN, "云岩区"))
    ]
    subtasks = ok(s.city.post(f"/api/v1/tasks/{s.root}/subtasks", json={"items": items}), 201)
    s.ours = {code: [t for t in subtasks if t["lead_unit"] == code] for code in (NANMING, YUNYAN)}
    for code, client in ((NANMING, s.nanming), (YUNYAN, s.yunyan)):
        for sub in s.ours[code]:
            ok(client.post(f"/api/v1/tasks/{sub['id']}/accept"))
    s.lagging = s.ours[NANMING][0]
    part = {"title": "五里冲街道项目征拆", "lead_unit": TOWNSHIP, "deadline": s.lagging["deadline"]}
    path = f"/api/v1/tasks/{s.lagging['id']}/subtasks"
    s.town_task = ok(s.nanming.post(path, json={"items": [part]}), 201)[0]["id"]
    ok(s.township.post(f"/api/v1/tasks/{s.town_task}/accept"))


def reports_and_extension(s: Story) -> None:
    """Reports flow up, progress rolls up; 云岩区 asks for an extension and the city grants it."""
    assert s.lagging and s.ours
    extended = s.ours[YUNYAN][0]
    _report(s.township, s.town_task, 40)
    assert ok(s.office.get(f"/api/v1/tasks/{s.lagging['id']}"))["progress_percent"] == 40
    _report(s.yunyan, extended["id"], 60)
    assert ok(s.office.get(f"/api/v1/tasks/{s.root}"))["progress_percent"] == (40 + 60 + 0 + 0) // 4
    wanted = date.fromisoformat(extended["deadline"]) + timedelta(days=14)
    ask = {"requested_deadline": wanted.isoformat(), "reason": "征地手续未完成"}
    ext = ok(s.yunyan.post(f"/api/v1/tasks/{extended['id']}/extensions", json=ask), 201)
    decision = {"decision": "approve", "comment": "同意"}
    ok(s.city.post(f"/api/v1/tasks/{extended['id']}/extensions/{ext['id']}/decision", json=decision))
    assert ok(s.yunyan.get(f"/api/v1/tasks/{extended['id']}"))["deadline"] == wanted.isoformat()


def lags_and_goes_overdue(s: Story) -> None:
    """南明区 lags → 催办 of its handler → overdue → the automatic 督办, answered by its principal."""
    assert s.lagging
    lagging = s.lagging["id"]
    _backdate(s.cluster, lagging, date.fromisoformat(s.lagging["deadline"]), s.today - timedelta(days=80))
    status = ok(s.city.get(f"/api/v1/tasks/{lagging}"))["status"]
    assert status["colour"] == "yellow" and status["lagging"], status
    urge_body = {
        "kind": "urge",
        "org_code": NANMING,
        "message": "进度滞后于序时进度, 请加快推进",
        "answer_due": (s.today + timedelta(days=3)).isoformat(),
        "task_id": lagging,
        "task_title": s.lagging["title"],
    }
    assert ok(s.city.post("/api/v1/urges", json=urge_body), 201)["state"] == "open"

    _backdate(s.cluster, lagging, s.today - timedelta(days=3), s.today - timedelta(days=80))
    assert ok(s.city.get(f"/api/v1/tasks/{lagging}"))["status"]["colour"] == "red"
    ok(s.admin.post("/api/v1/deadline-scans"))
    on_timeline(s.office, lagging, "tasking.task.overdue.v1")

    def order() -> dict[str, Any] | None:
        items = ok(s.nanming_principal.get("/api/v1/urges", params={"limit": 200}))["items"]
        return next((u for u in items if u["task_id"] == lagging and u["kind"] == "order"), None)

    supervision_order = eventually(order, "the automatic 督办 of the overdue task")
    assert supervision_order["automatic"] and supervision_order["org_code"] == NANMING
    answer = {"reason": "征拆协调难度大", "plan": "成立专班, 每周调度, 两周内赶上进度"}
    answered = ok(s.nanming_principal.post(f"/api/v1/urges/{supervision_order['id']}/answer", json=answer))
    assert answered["state"] == "answered"
    s.events += [
        ("tasking.task.overdue.v1", lagging),
        ("supervision.urge.issued.v1", supervision_order["id"]),
        ("supervision.urge.answered.v1", supervision_order["id"]),
    ]


def close_out(s: Story) -> None:
    """The late quarter catches up; everything is completed bottom-up, reviewed, closed (销号), archived."""
    assert s.lagging and s.ours
    lagging = s.lagging["id"]
    late = {"requested_deadline": (s.today + timedelta(days=10)).isoformat(), "reason": "按督办要求赶进度"}
    ext = ok(s.nanming.post(f"/api/v1/tasks/{lagging}/extensions", json=late), 201)
    assert ext["late"] is True
    path = f"/api/v1/tasks/{lagging}/extensions/{ext['id']}/decision"
    ok(s.city.post(path, json={"decision": "approve"}))
    for code, client in ((NANMING, s.nanming), (YUNYAN, s.yunyan)):
        for sub in s.ours[code]:
            finish(client, s.city, sub["id"])
    assert ok(s.office.get(f"/api/v1/tasks/{s.root}"))["progress_percent"] == 100
    finish(s.city, s.office, s.root)
    archived = ok(s.office.post(f"/api/v1/tasks/{s.root}/archive", json={"note": "资料齐全"}))
    assert archived["state"] == "archived"
    s.events += [("tasking.task.closed.v1", s.root), ("tasking.task.archived.v1", s.root)]


def _in_order(client: httpx.Client, task_id: str, wanted: list[tuple[str, str | None]]) -> None:
    """``wanted`` (event type, who did it: a person, None for the platform itself) appear on the task's
    timeline in this order (other entries may lie between them)."""
    steps = [(i["event_type"], i["actor_id"]) for i in timeline(client, task_id)]
    rest = iter(steps)
    missing = [step for step in wanted if step not in rest]  # consumes: a subsequence check
    assert not missing, f"{task_id}: {missing} not in order in {steps}"


def timelines(s: Story) -> None:
    """Every step in order, with who did it."""
    assert s.lagging
    city, nanming = f"p-{CITY}-office", f"p-{NANMING}-office"
    on_timeline(s.office, s.root, "tasking.task.archived.v1")
    _in_order(
        s.office,
        s.root,
        [
            ("tasking.task.assigned.v1", "u-province_office"),
            ("tasking.task.accepted.v1", city),
            ("tasking.task.completed.v1", city),
            ("tasking.task.closed.v1", "u-province_office"),
            ("tasking.task.archived.v1", "u-province_office"),
        ],
    )
    on_timeline(s.office, s.lagging["id"], "tasking.task.closed.v1")
    _in_order(
        s.office,
        s.lagging["id"],
        [
            ("tasking.task.assigned.v1", city),
            ("tasking.task.accepted.v1", nanming),
            ("supervision.urge.issued.v1", city),  # 催办 of the handler
            ("tasking.task.overdue.v1", None),  # the deadline scan
            ("supervision.urge.issued.v1", None),  # the automatic 督办
            ("supervision.urge.answered.v1", f"p-{NANMING}-principal"),
            ("supervision.inspection.conducted.v1", "u-province_office"),  # the 暗访, from conducted on
            ("supervision.finding.recorded.v1", "u-province_office"),
            ("supervision.rectification.ordered.v1", "u-province_office"),
            ("supervision.rectification.reported.v1", nanming),
            ("supervision.rectification.rejected.v1", "u-province_office"),
            ("supervision.rectification.reported.v1", nanming),
            ("supervision.rectification.verified.v1", "u-province_office"),
            ("tasking.task.extension_requested.v1", nanming),
            ("tasking.task.extension_decided.v1", city),
            ("tasking.task.deadline_extended.v1", city),
            ("tasking.task.completed.v1", nanming),
            ("tasking.task.closed.v1", city),
        ],
    )
    _in_order(
        s.office,
        s.town_task,
        [
            ("tasking.task.assigned.v1", nanming),
            ("tasking.task.accepted.v1", f"p-{TOWNSHIP}-principal"),
            ("tasking.task.progress_reported.v1", f"p-{TOWNSHIP}-principal"),
            ("tasking.task.closed.v1", nanming),
        ],
    )
