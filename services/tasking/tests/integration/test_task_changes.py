"""Issue 9 on real PostgreSQL: a task's nature and its decomposition (applied once, from its start),
task changes (PATCH, traced before/after, lead change = acceptance again) and extensions (延期申请)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update

from luoshi_kit.timebase import business_today
from luoshi_tasking.changes.models import TaskExtension
from luoshi_tasking.db import OutboxEvent
from luoshi_tasking.deadlines.models import DeadlineAlert
from luoshi_tasking.ledger.models import LedgerEntry
from luoshi_tasking.tasks.models import Task, TaskEvent

from .conftest import (
    CITY,
    COUNTY,
    OTHER_TOWNSHIP,
    PROVINCE,
    SIBLING_COUNTY,
    TOWNSHIP,
    count_rows,
    outbox_types,
    person,
    unique_title,
)

Service = tuple[FastAPI, httpx.AsyncClient]
MODELS = (Task, TaskEvent, TaskExtension, LedgerEntry)
CITY_OFFICE = person(CITY, "office")
CITY_HANDLER = person(CITY, "handler")
COUNTY_OFFICE = person(COUNTY, "office")
COUNTY_HANDLER = person(COUNTY, "handler")
SIBLING_OFFICE = person(SIBLING_COUNTY, "office")
PROVINCE_OFFICE = person(PROVINCE, "office")
TODAY = business_today()


async def create(client: httpx.AsyncClient, headers: Mapping[str, str] = CITY_OFFICE, **fields: Any) -> dict:
    body = {"title": unique_title(), "lead_unit": COUNTY, "deadline": "2027-06-30", **fields}
    response = await client.post("/api/v1/tasks", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def accepted(client: httpx.AsyncClient, **fields: Any) -> dict:
    task = await create(client, **fields)
    response = await client.post(f"/api/v1/tasks/{task['id']}/accept", headers=COUNTY_HANDLER)
    assert response.status_code == 200, response.text
    return response.json()


def problem(response: httpx.Response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == f"urn:luoshi:problem:{slug}", body
    return body


# --- problem 2: nature and decomposition ---


async def test_a_task_records_its_nature_derived_or_given(tasking: Service) -> None:
    _app, client = tasking
    derived = await create(client, start_date="2026-01-01", deadline="2026-12-31")
    assert derived["nature"] == "yearly"
    given = await create(client, start_date="2026-01-01", deadline="2026-12-31", nature="special_phased")
    assert given["nature"] == "special_phased"
    long = await create(client, start_date="2026-01-01", deadline="2028-12-31")
    assert long["nature"] == "medium_long"
    read = (await client.get(f"/api/v1/tasks/{long['id']}", headers=CITY_OFFICE)).json()
    assert read["nature"] == "medium_long" and read["original_deadline"] == "2028-12-31"
    assert read["extension_count"] == 0
    bad = await client.post(
        "/api/v1/tasks",
        json={"title": "x", "lead_unit": COUNTY, "deadline": "2027-01-01", "nature": "decade"},
        headers=CITY_OFFICE,
    )
    problem(bad, 422, "validation")


async def test_a_yearly_task_decomposes_into_all_its_quarters_once(tasking: Service) -> None:
    app, client = tasking
    task = await accepted(client, start_date="2026-01-01", deadline="2026-12-31")
    base = f"/api/v1/tasks/{task['id']}"
    # No ?kind=: the nature (yearly) decides; from the task's start, not from today (1 December).
    proposal = (await client.get(f"{base}/decomposition/proposal", headers=COUNTY_OFFICE)).json()
    assert proposal["nature"] == "yearly" and proposal["period_kind"] == "quarter"
    assert [p["label"] for p in proposal["periods"]] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    # ?kind= still overrides.
    months = (await client.get(f"{base}/decomposition/proposal?kind=month", headers=COUNTY_OFFICE)).json()
    assert len(months["periods"]) == 12
    first = await client.post(f"{base}/subtasks", json={"items": proposal["items"]}, headers=COUNTY_OFFICE)
    assert first.status_code == 201, first.text
    assert len(first.json()) == 4
    before = await count_rows(app, *MODELS)
    again = await client.post(f"{base}/subtasks", json={"items": proposal["items"]}, headers=COUNTY_OFFICE)
    body = problem(again, 409, "already-decomposed")
    assert sorted(body["subtask_ids"]) == sorted(t["id"] for t in first.json())
    assert await count_rows(app, *MODELS) == before
    children = (await client.get(f"/api/v1/tasks?parent_id={task['id']}", headers=COUNTY_OFFICE)).json()
    assert children["total"] == 4
    # The past quarters are records: no deadline alert for them (problem 1).
    scan = await client.post("/api/v1/deadline-scans", headers=person(PROVINCE, "admin"))
    assert scan.status_code == 200, scan.text
    async with app.state.sessionmaker() as session:
        alerted = set(await session.scalars(select(DeadlineAlert.task_id)))
    assert not alerted & {t["id"] for t in first.json() if t["deadline"] < TODAY.isoformat()}


# --- problem 1 end to end: a back-dated task raises nothing for the quarters before it existed ---


async def test_a_back_dated_task_raises_no_report_missing(tasking: Service) -> None:
    app, client = tasking
    assigned = await create(client, start_date="2024-01-01", deadline="2027-06-30")
    kept = await accepted(client, start_date="2024-01-01", deadline="2027-06-30")
    scan = await client.post("/api/v1/deadline-scans", headers=person(PROVINCE, "admin"))
    assert scan.status_code == 200, scan.text
    assert scan.json()["raised"]["report_missing"] == 0
    async with app.state.sessionmaker() as session:
        kinds = set(
            await session.scalars(
                select(DeadlineAlert.kind).where(DeadlineAlert.task_id.in_([assigned["id"], kept["id"]]))
            )
        )
    assert not kinds & {"report_missing", "lagging"}


# --- problem 3: changes ---


async def test_the_issuer_changes_fields_with_a_reason_traced_before_after(tasking: Service) -> None:
    app, client = tasking
    task = await accepted(client)
    path = f"/api/v1/tasks/{task['id']}"
    new_deadline = (TODAY + timedelta(days=400)).isoformat()
    response = await client.patch(
        path,
        json={
            "reason": "按市委要求调整",
            "title": "新的名称",
            "deadline": new_deadline,
            "co_units": [TOWNSHIP],
        },
        headers=CITY_OFFICE,
    )
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["title"] == "新的名称" and out["deadline"] == new_deadline and out["co_units"] == [TOWNSHIP]
    assert out["state"] == "accepted" and out["status"] is not None
    assert out["original_deadline"] == "2027-06-30" and out["extension_count"] == 0  # a correction
    events = (await client.get(f"{path}/events", headers=CITY_OFFICE)).json()
    updated = [e for e in events if e["action"] == "updated"][-1]
    assert updated["reason"] == "按市委要求调整"
    assert {c["field"]: (c["before"], c["after"]) for c in updated["detail"]["changes"]} == {
        "title": (task["title"], "新的名称"),
        "deadline": ("2027-06-30", new_deadline),
        "co_units": ([], [TOWNSHIP]),
    }
    assert "tasking.task.updated.v1" in await outbox_types(app, task["id"])


async def test_bad_changes_answer_4xx_and_write_nothing(tasking: Service) -> None:
    app, client = tasking
    task = await accepted(client)
    path = f"/api/v1/tasks/{task['id']}"
    before = await count_rows(app, *MODELS)
    past = (TODAY - timedelta(days=1)).isoformat()
    body = problem(
        await client.patch(path, json={"reason": "r", "deadline": past}, headers=CITY_OFFICE),
        422,
        "deadline-in-past",
    )
    assert "不能早于今天" in body["title"]
    problem(
        await client.patch(path, json={"title": "x"}, headers=CITY_OFFICE), 422, "validation"
    )  # no reason
    problem(await client.patch(path, json={"reason": "r"}, headers=CITY_OFFICE), 422, "validation")  # nothing
    problem(
        await client.patch(path, json={"reason": "r", "title": task["title"]}, headers=CITY_OFFICE),
        422,
        "no-change",
    )
    problem(
        await client.patch(path, json={"reason": "r", "title": None}, headers=CITY_OFFICE),
        422,
        "field-required",
    )
    problem(
        await client.patch(
            path, json={"reason": "r", "lead_unit": SIBLING_COUNTY + "X"}, headers=CITY_OFFICE
        ),
        422,
        "validation",
    )
    problem(
        await client.patch(path, json={"reason": "r", "lead_unit": PROVINCE}, headers=CITY_OFFICE),
        422,
        "assign-outside-subtree",
    )
    # Lead unit and handlers may not change the task; a sibling does not see it; the province is no issuer.
    problem(
        await client.patch(path, json={"reason": "r", "title": "y"}, headers=COUNTY_OFFICE), 403, "forbidden"
    )
    problem(
        await client.patch(path, json={"reason": "r", "title": "y"}, headers=CITY_HANDLER), 403, "forbidden"
    )
    problem(
        await client.patch(path, json={"reason": "r", "title": "y"}, headers=SIBLING_OFFICE), 404, "not-found"
    )
    problem(
        await client.patch(path, json={"reason": "r", "title": "y"}, headers=PROVINCE_OFFICE),
        403,
        "forbidden",
    )
    assert await count_rows(app, *MODELS) == before


async def test_changing_the_lead_unit_is_a_reassignment_with_acceptance_again(tasking: Service) -> None:
    app, client = tasking
    task = await accepted(client)
    path = f"/api/v1/tasks/{task['id']}"
    response = await client.patch(
        path, json={"reason": "职能调整", "lead_unit": SIBLING_COUNTY}, headers=CITY_OFFICE
    )
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["lead_unit"] == SIBLING_COUNTY and out["state"] == "assigned" and out["accepted_at"] is None
    types = await outbox_types(app, task["id"])
    assert types[-2:] == ["tasking.task.updated.v1", "tasking.task.assigned.v1"]
    # The old unit no longer acts on it; the new one signs for it.
    problem(await client.post(f"{path}/accept", headers=COUNTY_HANDLER), 404, "not-found")
    sibling_handler = person(SIBLING_COUNTY, "handler")
    ledger = (await client.get(f"/api/v1/ledger/{COUNTY}", headers=COUNTY_HANDLER)).json()
    assert task["id"] not in [t["task_id"] for t in ledger["items"]]
    assert (await client.post(f"{path}/accept", headers=sibling_handler)).status_code == 200


# --- problem 3: extensions ---


async def test_extension_request_approve_reject_limit_and_late(tasking: Service) -> None:
    app, client = tasking
    deadline = TODAY + timedelta(days=30)
    task = await accepted(client, deadline=deadline.isoformat())
    path = f"/api/v1/tasks/{task['id']}"
    wanted = deadline + timedelta(days=14)
    response = await client.post(
        f"{path}/extensions",
        json={"requested_deadline": wanted.isoformat(), "reason": "征地手续未完成"},
        headers=COUNTY_HANDLER,
    )
    assert response.status_code == 201, response.text
    first = response.json()
    assert first["state"] == "pending" and first["late"] is False
    assert first["current_deadline"] == deadline.isoformat()
    assert 8 <= first["working_days_added"] <= 10  # two calendar weeks, by the working-day calendar
    # One pending at a time; only the issuer decides.
    again = {"requested_deadline": wanted.isoformat(), "reason": "再次"}
    problem(
        await client.post(f"{path}/extensions", json=again, headers=COUNTY_HANDLER), 409, "extension-pending"
    )
    decision = f"{path}/extensions/{first['id']}/decision"
    problem(
        await client.post(decision, json={"decision": "approve"}, headers=COUNTY_OFFICE), 403, "forbidden"
    )
    approved = await client.post(
        decision, json={"decision": "approve", "comment": "同意"}, headers=CITY_OFFICE
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"
    read = (await client.get(path, headers=CITY_OFFICE)).json()
    assert read["deadline"] == wanted.isoformat() and read["original_deadline"] == deadline.isoformat()
    assert read["extension_count"] == 1
    problem(
        await client.post(decision, json={"decision": "reject", "comment": "x"}, headers=CITY_OFFICE),
        409,
        "extension-decided",
    )
    types = await outbox_types(app, task["id"])
    assert types[-3:] == [
        "tasking.task.extension_requested.v1",
        "tasking.task.extension_decided.v1",
        "tasking.task.deadline_extended.v1",
    ]
    # A rejection needs a comment and leaves the deadline.
    second = (
        await client.post(
            f"{path}/extensions",
            json={"requested_deadline": (wanted + timedelta(days=10)).isoformat(), "reason": "仍需时间"},
            headers=COUNTY_HANDLER,
        )
    ).json()
    decision = f"{path}/extensions/{second['id']}/decision"
    problem(await client.post(decision, json={"decision": "reject"}, headers=CITY_OFFICE), 422, "validation")
    rejected = await client.post(
        decision, json={"decision": "reject", "comment": "理由不充分"}, headers=CITY_OFFICE
    )
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    assert (await client.get(path, headers=CITY_OFFICE)).json()["deadline"] == wanted.isoformat()
    # A second approval reaches the limit (default 2); a third request is refused.
    third = (
        await client.post(
            f"{path}/extensions",
            json={"requested_deadline": (wanted + timedelta(days=5)).isoformat(), "reason": "最后一次"},
            headers=COUNTY_HANDLER,
        )
    ).json()
    ok = await client.post(
        f"{path}/extensions/{third['id']}/decision", json={"decision": "approve"}, headers=CITY_OFFICE
    )
    assert ok.status_code == 200
    before = await count_rows(app, *MODELS)
    over = {"requested_deadline": (wanted + timedelta(days=60)).isoformat(), "reason": "再延"}
    problem(
        await client.post(f"{path}/extensions", json=over, headers=COUNTY_HANDLER), 409, "extension-limit"
    )
    assert await count_rows(app, *MODELS) == before
    listing = (await client.get(f"{path}/extensions", headers=CITY_OFFICE)).json()
    assert [e["state"] for e in listing["items"]] == ["approved", "rejected", "approved"]
    assert listing["approved"] == 2 and listing["max_extensions"] == 2


async def test_a_late_request_is_allowed_and_marked(tasking: Service) -> None:
    app, client = tasking
    task = await accepted(client)
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(
            update(Task).where(Task.id == task["id"]).values(deadline=TODAY - timedelta(days=3))
        )
    wanted = (TODAY + timedelta(days=20)).isoformat()
    response = await client.post(
        f"/api/v1/tasks/{task['id']}/extensions",
        json={"requested_deadline": wanted, "reason": "超期说明原因, 申请延期"},
        headers=COUNTY_HANDLER,
    )
    assert response.status_code == 201, response.text
    assert response.json()["late"] is True
    status = (await client.get(f"/api/v1/tasks/{task['id']}", headers=CITY_OFFICE)).json()["status"]
    assert status["colour"] == "red"
    await client.post(
        f"/api/v1/tasks/{task['id']}/extensions/{response.json()['id']}/decision",
        json={"decision": "approve"},
        headers=CITY_OFFICE,
    )
    status = (await client.get(f"/api/v1/tasks/{task['id']}", headers=CITY_OFFICE)).json()["status"]
    assert status["colour"] != "red" and not status["overdue"]


async def test_bad_extension_requests_write_nothing(tasking: Service) -> None:
    app, client = tasking
    task = await accepted(client, deadline=(TODAY + timedelta(days=30)).isoformat())
    assigned = await create(client)
    path = f"/api/v1/tasks/{task['id']}/extensions"
    before = await count_rows(app, *MODELS)
    same = {"requested_deadline": task["deadline"], "reason": "r"}
    problem(await client.post(path, json=same, headers=COUNTY_HANDLER), 422, "extension-not-later")
    problem(
        await client.post(path, json={"requested_deadline": "2099-01-01"}, headers=COUNTY_HANDLER),
        422,
        "validation",
    )
    problem(
        await client.post(path, json={"requested_deadline": "x", "reason": "r"}, headers=COUNTY_HANDLER),
        422,
        "validation",
    )
    later = {"requested_deadline": "2099-01-01", "reason": "r"}
    problem(await client.post(path, json=later, headers=CITY_OFFICE), 403, "forbidden")  # the issuer
    problem(await client.post(path, json=later, headers=person(TOWNSHIP, "handler")), 404, "not-found")
    problem(await client.post(path, json=later, headers=person(OTHER_TOWNSHIP, "office")), 404, "not-found")
    problem(
        await client.post(f"/api/v1/tasks/{assigned['id']}/extensions", json=later, headers=COUNTY_HANDLER),
        409,
        "task-not-accepted",
    )
    problem(
        await client.post(f"{path}/nothing/decision", json={"decision": "approve"}, headers=CITY_OFFICE),
        404,
        "not-found",
    )
    assert await count_rows(app, *MODELS) == before


async def test_the_extension_limit_is_a_deadline_setting(tasking: Service) -> None:
    _app, client = tasking
    admin = person(PROVINCE, "admin")
    rules = (await client.get("/api/v1/deadline-rules", headers=admin)).json()
    assert rules["max_extensions"] == 2
    put = await client.put(
        "/api/v1/deadline-rules",
        json={**{k: v for k, v in rules.items() if not k.startswith("updated_")}, "max_extensions": 0},
        headers=admin,
    )
    assert put.status_code == 200, put.text
    task = await accepted(client)
    body = {"requested_deadline": "2099-01-01", "reason": "r"}
    response = await client.post(f"/api/v1/tasks/{task['id']}/extensions", json=body, headers=COUNTY_HANDLER)
    problem(response, 409, "extension-limit")


async def test_extension_events_carry_original_deadline_and_count(tasking: Service) -> None:
    app, client = tasking
    task = await accepted(client)
    wanted = "2027-09-30"
    ext = (
        await client.post(
            f"/api/v1/tasks/{task['id']}/extensions",
            json={"requested_deadline": wanted, "reason": "r"},
            headers=COUNTY_HANDLER,
        )
    ).json()
    await client.post(
        f"/api/v1/tasks/{task['id']}/extensions/{ext['id']}/decision",
        json={"decision": "approve"},
        headers=CITY_OFFICE,
    )
    outbox = OutboxEvent
    async with app.state.sessionmaker() as session:
        bodies = list(
            await session.scalars(
                select(outbox.body).where(outbox.event_type == "tasking.task.deadline_extended.v1")
            )
        )
    assert any(
        '"original_deadline":"2027-06-30"' in b
        and '"extension_count":1' in b
        and f'"deadline":"{wanted}"' in b
        for b in bodies
    )
