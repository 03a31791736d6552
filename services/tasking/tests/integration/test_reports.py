"""Progress reports (落实反馈) through the API: who reports, what a report must say, what it changes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from luoshi_tasking.reports.models import ProgressReport
from luoshi_tasking.tasks.models import Task, TaskEvent

from .conftest import (
    CITY,
    COUNTY,
    OTHER_CITY,
    PROVINCE,
    SIBLING_COUNTY,
    count_rows,
    outbox_payloads,
    outbox_types,
    person,
    unique_title,
)

Service = tuple[FastAPI, httpx.AsyncClient]
OFFICE = person(PROVINCE, "office")
LEAD = person(COUNTY, "handler")
CO_UNIT = person(OTHER_CITY, "deputy")
REPORT = {
    "progress_percent": 35,
    "progress": "完成选址",
    "problems": "用地指标紧张",
    "measures": "申请省级统筹",
}


async def _task(client: httpx.AsyncClient, *, accept: bool = True) -> str:
    body = {"title": unique_title(), "lead_unit": COUNTY, "co_units": [OTHER_CITY], "deadline": "2099-06-30"}
    response = await client.post("/api/v1/tasks", json=body, headers=OFFICE)
    assert response.status_code == 201, response.text
    task_id = str(response.json()["id"])
    if accept:
        assert (await client.post(f"/api/v1/tasks/{task_id}/accept", headers=LEAD)).status_code == 200
    return task_id


def _problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:luoshi:problem:{slug}"
    return body


async def test_lead_unit_report_sets_progress_and_emits_the_event(tasking: Service) -> None:
    app, client = tasking
    task_id = await _task(client)
    response = await client.post(f"/api/v1/tasks/{task_id}/reports", json=REPORT, headers=LEAD)
    assert response.status_code == 201, response.text
    report = response.json()
    assert (
        report["to_lead_unit"] is False and report["org_code"] == COUNTY and report["progress_percent"] == 35
    )
    task = (await client.get(f"/api/v1/tasks/{task_id}", headers=OFFICE)).json()
    assert task["progress_percent"] == 35 and task["last_report_at"] == report["reported_at"]
    assert (await outbox_types(app, task_id))[-1] == "tasking.task.progress_reported.v1"
    events = (await client.get(f"/api/v1/tasks/{task_id}/events", headers=OFFICE)).json()
    assert events[-1]["action"] == "reported" and events[-1]["detail"]["report_id"] == report["id"]


async def test_the_event_says_whether_the_task_is_still_behind_after_the_report(tasking: Service) -> None:
    """The dashboard follows it: a report that does not catch up leaves the task yellow (lagging)."""
    app, client = tasking
    today = date.today()
    body = {
        "title": unique_title(),
        "lead_unit": COUNTY,
        "start_date": (today - timedelta(days=300)).isoformat(),
        "deadline": (today + timedelta(days=30)).isoformat(),
    }
    created = await client.post("/api/v1/tasks", json=body, headers=OFFICE)
    assert created.status_code == 201, created.text
    task_id = created.json()["id"]
    assert (await client.post(f"/api/v1/tasks/{task_id}/accept", headers=LEAD)).status_code == 200
    # Behind from the day it is signed for (its start lies 300 days back): the accepted event says so.
    accepted = await outbox_payloads(app, "tasking.task.accepted.v1", task_id)
    assert [p["lagging"] for p in accepted] == [True]
    for percent in (10, 95):
        response = await client.post(
            f"/api/v1/tasks/{task_id}/reports", json=REPORT | {"progress_percent": percent}, headers=LEAD
        )
        assert response.status_code == 201, response.text
    status = (await client.get(f"/api/v1/tasks/{task_id}", headers=OFFICE)).json()["status"]
    assert status["lagging"] is False and status["expected_percent"] > 20
    payloads = await outbox_payloads(app, "tasking.task.progress_reported.v1", task_id)
    assert [(p["progress_percent"], p["lagging"]) for p in payloads] == [(10, True), (95, False)]


async def test_co_unit_reports_go_to_the_lead_unit(tasking: Service) -> None:
    _app, client = tasking
    task_id = await _task(client)
    response = await client.post(
        f"/api/v1/tasks/{task_id}/reports", json={**REPORT, "progress_percent": 90}, headers=CO_UNIT
    )
    assert response.status_code == 201, response.text
    assert response.json()["to_lead_unit"] is True
    task = (await client.get(f"/api/v1/tasks/{task_id}", headers=OFFICE)).json()
    assert task["progress_percent"] == 0 and task["last_report_at"] is None
    await client.post(f"/api/v1/tasks/{task_id}/reports", json=REPORT, headers=LEAD)
    listed = (await client.get(f"/api/v1/tasks/{task_id}/reports", headers=LEAD)).json()
    assert listed["total"] == 2
    assert [(r["org_code"], r["to_lead_unit"]) for r in listed["items"]] == [
        (OTHER_CITY, True),
        (COUNTY, False),
    ]
    page = (
        await client.get(f"/api/v1/tasks/{task_id}/reports", params={"limit": 1, "offset": 1}, headers=LEAD)
    ).json()
    assert [r["org_code"] for r in page["items"]] == [COUNTY]


async def test_reporting_on_a_task_not_accepted_is_a_409(tasking: Service) -> None:
    app, client = tasking
    task_id = await _task(client, accept=False)
    before = await count_rows(app, ProgressReport, TaskEvent, Task)
    _problem(
        await client.post(f"/api/v1/tasks/{task_id}/reports", json=REPORT, headers=LEAD),
        409,
        "task-not-accepted",
    )
    assert await count_rows(app, ProgressReport, TaskEvent, Task) == before


async def test_bad_reports_and_wrong_reporters_write_nothing(tasking: Service) -> None:
    app, client = tasking
    task_id = await _task(client)
    path = f"/api/v1/tasks/{task_id}/reports"
    bad: list[dict[str, Any]] = [
        {k: v for k, v in REPORT.items() if k != "problems"},
        {k: v for k, v in REPORT.items() if k != "measures"},
        {k: v for k, v in REPORT.items() if k != "progress"},
        {**REPORT, "progress": "   "},
        {**REPORT, "problems": ""},
        {**REPORT, "measures": "措" * 5001},
        {**REPORT, "progress_percent": 101},
        {**REPORT, "progress_percent": -1},
        {**REPORT, "progress_percent": "most"},
        {**REPORT, "reporter_id": "someone-else"},
    ]
    before = await count_rows(app, ProgressReport, TaskEvent)
    outbox_before = len(await outbox_types(app))
    for body in bad:
        _problem(await client.post(path, json=body, headers=LEAD), 422, "validation")
    _problem(
        await client.post(path, json=REPORT, headers=person(SIBLING_COUNTY, "principal")), 404, "not-found"
    )
    _problem(await client.post(path, json=REPORT, headers=person(CITY, "principal")), 403, "forbidden")
    _problem(await client.post(path, json=REPORT, headers=person(COUNTY, "auditor")), 403, "forbidden")
    _problem(await client.post(path, json=REPORT, headers=OFFICE), 403, "forbidden")
    _problem(await client.get(path, headers=person(SIBLING_COUNTY, "handler")), 404, "not-found")
    assert await count_rows(app, ProgressReport, TaskEvent) == before
    assert len(await outbox_types(app)) == outbox_before
