"""The deadline rule settings and the on-demand scan: administrators only, bad input writes nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import httpx
import pytest
from fastapi import FastAPI

from luoshi_tasking.deadlines import jobs
from luoshi_tasking.deadlines.models import DeadlineAlert, DeadlineRule
from luoshi_tasking.tasks.models import Task

from .conftest import COUNTY, PROVINCE, count_rows, outbox_types, person

ADMIN = person(PROVINCE, "admin")
HANDLER = person(COUNTY, "handler")
RULES = {"due_soon_working_days": 5, "lagging_tolerance_points": 15, "scan_interval_seconds": 120}


@pytest.fixture(autouse=True)
def no_background_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "FIRST_DELAY_SECONDS", 3600.0)


async def test_rules_defaults_and_admin_change(tasking: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = tasking
    defaults = (await client.get("/api/v1/deadline-rules", headers=HANDLER)).json()
    assert defaults["due_soon_working_days"] == 3 and defaults["lagging_tolerance_points"] == 10
    assert defaults["updated_by"] is None

    denied = await client.put("/api/v1/deadline-rules", json=RULES, headers=HANDLER)
    assert denied.status_code == 403
    assert denied.headers["content-type"].startswith("application/problem+json")
    for bad in (
        {**RULES, "lagging_tolerance_points": 101},
        {**RULES, "due_soon_working_days": -1},
        {"due_soon_working_days": 3},
        {**RULES, "surprise": 1},
    ):
        response = await client.put("/api/v1/deadline-rules", json=bad, headers=ADMIN)
        assert response.status_code == 422, bad
        assert response.json()["type"] == "urn:luoshi:problem:validation"
    assert await count_rows(app, DeadlineRule) == {"deadline_rule": 0}

    changed = await client.put("/api/v1/deadline-rules", json=RULES, headers=ADMIN)
    assert changed.status_code == 200, changed.text
    assert changed.json()["due_soon_working_days"] == 5 and changed.json()["updated_by"]
    assert (await client.get("/api/v1/deadline-rules", headers=HANDLER)).json()[
        "lagging_tolerance_points"
    ] == 15


async def test_scan_on_demand_raises_once(tasking: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = tasking
    async with app.state.sessionmaker() as session, session.begin():
        session.add(
            Task(
                id="t-overdue",
                title="推进大数据战略行动",
                issuing_org=PROVINCE,
                lead_unit=COUNTY,
                co_units=[],
                start_date=date(2026, 5, 4),
                deadline=date(2026, 6, 5),
                state="accepted",
                created_at=datetime(2026, 5, 4, 2, 0, tzinfo=UTC),  # it existed on its deadline
                created_by="p1",
                report_due_dates=[],
                progress_percent=40,
            )
        )
    assert (await client.post("/api/v1/deadline-scans", headers=HANDLER)).status_code == 403
    first = await client.post("/api/v1/deadline-scans", json={"today": "2026-06-10"}, headers=ADMIN)
    assert first.status_code == 200, first.text
    assert first.json()["raised"]["overdue"] == 1 and first.json()["skipped"] is False
    second = (await client.post("/api/v1/deadline-scans", json={"today": "2026-06-10"}, headers=ADMIN)).json()
    assert sum(second["raised"].values()) == 0
    assert await count_rows(app, DeadlineAlert) == {"deadline_alert": 1}
    assert await outbox_types(app, "t-overdue") == ["tasking.task.overdue.v1"]
    future = await client.post("/api/v1/deadline-scans", json={"today": "2099-01-01"}, headers=ADMIN)
    assert future.status_code == 422 and future.json()["type"] == "urn:luoshi:problem:scan-date-in-future"
    assert await count_rows(app, DeadlineAlert) == {"deadline_alert": 1}
    bad = await client.post("/api/v1/deadline-scans", json={"today": "yesterday"}, headers=ADMIN)
    assert bad.status_code == 422
    assert json.loads(bad.text)["status"] == 422
