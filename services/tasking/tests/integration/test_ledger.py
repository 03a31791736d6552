"""The ledger (台账) through the API: 建账 on acceptance, recorded checkpoints, 销号 on approval."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from fastapi import FastAPI

from luoshi_kit.timebase import business_today
from luoshi_tasking.ledger.models import LedgerEntry
from luoshi_tasking.ledger.rules import current_labels
from luoshi_tasking.tasks.models import TaskEvent

from .conftest import COUNTY, OTHER_CITY, PROVINCE, SIBLING_COUNTY, TOWNSHIP, count_rows, person, unique_title

Service = tuple[FastAPI, httpx.AsyncClient]
OFFICE = person(PROVINCE, "office")
LEAD = person(COUNTY, "handler")
CO_UNIT = person(OTHER_CITY, "office")
ALL_CHECKPOINTS = ["dispatch", "self_check", "reconcile", "summary", "audit", "hand_in"]


async def _task(client: httpx.AsyncClient, *, accept: bool = True) -> str:
    body = {"title": unique_title(), "lead_unit": COUNTY, "co_units": [OTHER_CITY], "deadline": "2099-06-30"}
    response = await client.post("/api/v1/tasks", json=body, headers=OFFICE)
    assert response.status_code == 201, response.text
    task_id = str(response.json()["id"])
    if accept:
        assert (await client.post(f"/api/v1/tasks/{task_id}/accept", headers=LEAD)).status_code == 200
    return task_id


def _problem(response: httpx.Response, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == f"urn:luoshi:problem:{slug}"


async def _ledger(
    client: httpx.AsyncClient, org: str, headers: Mapping[str, str], **params: Any
) -> dict[str, Any]:
    response = await client.get(f"/api/v1/ledger/{org}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return {item["task_id"]: item for item in response.json()["items"]}


async def test_accepting_opens_the_account_and_checkpoints_are_recorded(tasking: Service) -> None:
    _app, client = tasking
    pending = await _task(client, accept=False)
    task_id = await _task(client)
    ledger = await _ledger(client, COUNTY, LEAD)
    assert ledger[pending]["opened_at"] is None and ledger[pending]["missing"] == []
    item = ledger[task_id]
    assert item["role"] == "lead" and item["opened_at"] and item["closed_out_at"] is None
    assert item["missing"] == ALL_CHECKPOINTS
    labels = current_labels(business_today())
    assert {c["kind"]: c["period_label"] for c in item["checkpoints"]} == labels

    path = f"/api/v1/ledger/{COUNTY}/entries"
    response = await client.post(
        path, json={"task_id": task_id, "kind": "reconcile", "note": "季度对账无差异"}, headers=LEAD
    )
    assert response.status_code == 201, response.text
    assert response.json()["period_label"] == labels["reconcile"]
    earlier = {"task_id": task_id, "kind": "dispatch", "period_label": "2026-W05", "note": "周调度会"}
    assert (await client.post(path, json=earlier, headers=LEAD)).status_code == 201
    _problem(
        await client.post(path, json={**earlier, "note": "再记一次"}, headers=LEAD), 409, "duplicate-entry"
    )

    item = (await _ledger(client, COUNTY, OFFICE))[task_id]
    assert item["missing"] == [k for k in ALL_CHECKPOINTS if k != "reconcile"]
    back_then = (await _ledger(client, COUNTY, LEAD, as_of="2026-02-01"))[task_id]
    assert [c["recorded"] for c in back_then["checkpoints"] if c["kind"] == "dispatch"] == [True]
    events = (await client.get(f"/api/v1/tasks/{task_id}/events", headers=LEAD)).json()
    assert [e["action"] for e in events][-2:] == ["ledger.reconcile", "ledger.dispatch"]


async def test_co_unit_confirmation_opens_its_own_account(tasking: Service) -> None:
    _app, client = tasking
    task_id = await _task(client)
    assert (
        await client.post(f"/api/v1/tasks/{task_id}/co-units/{OTHER_CITY}/confirm", headers=CO_UNIT)
    ).status_code == 201
    item = (await _ledger(client, OTHER_CITY, CO_UNIT))[task_id]
    assert item["role"] == "co_unit" and item["opened_at"]
    entry = {"task_id": task_id, "kind": "self_check", "note": "月自查: 配合事项按期推进"}
    assert (
        await client.post(f"/api/v1/ledger/{OTHER_CITY}/entries", json=entry, headers=CO_UNIT)
    ).status_code == 201


async def test_close_out_after_review_and_nothing_recorded_after(tasking: Service) -> None:
    _app, client = tasking
    task_id = await _task(client)
    assert (await client.post(f"/api/v1/tasks/{task_id}/complete", headers=LEAD)).status_code == 200
    approved = await client.post(
        f"/api/v1/tasks/{task_id}/review", json={"decision": "approve"}, headers=OFFICE
    )
    assert approved.status_code == 200 and approved.json()["state"] == "closed"
    item = (await _ledger(client, COUNTY, LEAD))[task_id]
    assert item["closed_out_at"] and item["missing"] == [] and item["state"] == "closed"
    entry = {"task_id": task_id, "kind": "hand_in", "note": "年底交账"}
    _problem(
        await client.post(f"/api/v1/ledger/{COUNTY}/entries", json=entry, headers=LEAD), 409, "ledger-closed"
    )
    assert (await client.post(f"/api/v1/tasks/{task_id}/archive", headers=OFFICE)).status_code == 200
    assert task_id not in await _ledger(client, COUNTY, LEAD)


async def test_bad_entries_and_wrong_people_write_nothing(tasking: Service) -> None:
    app, client = tasking
    task_id = await _task(client)
    pending = await _task(client, accept=False)
    path = f"/api/v1/ledger/{COUNTY}/entries"
    good = {"task_id": task_id, "kind": "audit", "note": "半年查账"}
    cases: list[tuple[str, Mapping[str, str], Any, int, str]] = [
        (path, LEAD, {**good, "kind": "open"}, 422, "validation"),
        (path, LEAD, {**good, "kind": "close_out"}, 422, "validation"),
        (path, LEAD, {**good, "note": "  "}, 422, "validation"),
        (path, LEAD, {**good, "extra": 1}, 422, "validation"),
        (path, LEAD, {**good, "period_label": "2026Q3"}, 422, "invalid-period"),
        (path, LEAD, {**good, "kind": "dispatch", "period_label": "2026-W60"}, 422, "invalid-period"),
        (path, LEAD, {**good, "kind": "self_check", "period_label": "2026-13"}, 422, "invalid-period"),
        (path, LEAD, {**good, "task_id": pending}, 409, "ledger-not-open"),
        (path, LEAD, {**good, "task_id": "no-such-task"}, 404, "not-found"),
        ("/api/v1/ledger/52-01/entries", LEAD, good, 422, "validation"),
        (path, person(SIBLING_COUNTY, "principal"), good, 404, "not-found"),
        (path, OFFICE, good, 403, "forbidden"),  # a superior reads the ledger but the unit keeps it
        (path, person(COUNTY, "auditor"), good, 403, "forbidden"),
        (f"/api/v1/ledger/{TOWNSHIP}/entries", person(TOWNSHIP, "handler"), good, 404, "not-found"),
    ]
    before = await count_rows(app, LedgerEntry, TaskEvent)
    for url, headers, body, status, slug in cases:
        _problem(await client.post(url, json=body, headers=headers), status, slug)
    _problem(
        await client.get(f"/api/v1/ledger/{COUNTY}", headers=person(SIBLING_COUNTY, "principal")),
        404,
        "not-found",
    )
    assert await count_rows(app, LedgerEntry, TaskEvent) == before
