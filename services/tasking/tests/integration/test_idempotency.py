"""Issue 9, problem 5: a retried create with the same Idempotency-Key is applied once — also when the
two requests race on two tasking replicas sharing one PostgreSQL database."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest
from fastapi import FastAPI
from openpyxl import Workbook
from sqlalchemy import func, select

from luoshi_kit.testing import TEST_SECRET, running_service
from luoshi_tasking.config import TaskingSettings
from luoshi_tasking.db import IdempotencyRecord
from luoshi_tasking.main import create_app
from luoshi_tasking.reports.models import ProgressReport
from luoshi_tasking.tasks.models import Task

from .conftest import CITY, COUNTY, add_orgs, count_rows, person

CITY_OFFICE = person(CITY, "office")
OTHER_CITY_OFFICE = person(CITY, "office", person_id="p-city-office-2")
COUNTY_HANDLER = person(COUNTY, "handler")
Replicas = tuple[tuple[FastAPI, httpx.AsyncClient], tuple[FastAPI, httpx.AsyncClient]]


def keyed(headers: object, key: str) -> dict[str, str]:
    return {**dict(headers), "Idempotency-Key": key}  # type: ignore[call-overload]


def body(title: str = "幂等任务") -> dict[str, str]:
    return {"title": title, "lead_unit": COUNTY, "deadline": "2027-06-30"}


async def tasks_titled(app: FastAPI, title: str) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).where(Task.title == title)) or 0)


async def test_a_retried_create_is_applied_once(tasking: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = tasking
    key = str(uuid.uuid4())
    first = await client.post("/api/v1/tasks", json=body("重试"), headers=keyed(CITY_OFFICE, key))
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = await client.post("/api/v1/tasks", json=body("重试"), headers=keyed(CITY_OFFICE, key))
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert await tasks_titled(app, "重试") == 1
    # The same key with another body: 422, nothing written.
    other = await client.post("/api/v1/tasks", json=body("别的"), headers=keyed(CITY_OFFICE, key))
    assert other.status_code == 422 and other.json()["type"] == "urn:luoshi:problem:idempotency-key-reused"
    assert await tasks_titled(app, "别的") == 0
    # Another person's identical key is theirs alone.
    theirs = await client.post("/api/v1/tasks", json=body("重试"), headers=keyed(OTHER_CITY_OFFICE, key))
    assert theirs.status_code == 201 and "idempotent-replayed" not in theirs.headers
    assert await tasks_titled(app, "重试") == 2
    # Without a key every POST creates; a malformed key is a 400 problem.
    for _ in range(2):
        assert (await client.post("/api/v1/tasks", json=body("无键"), headers=CITY_OFFICE)).status_code == 201
    assert await tasks_titled(app, "无键") == 2
    bad = await client.post("/api/v1/tasks", json=body("坏键"), headers=keyed(CITY_OFFICE, "x" * 300))
    assert bad.status_code == 400 and bad.json()["type"] == "urn:luoshi:problem:invalid-idempotency-key"


async def test_a_failed_create_stores_nothing_and_may_be_retried(
    tasking: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = tasking
    key = str(uuid.uuid4())
    refused = await client.post(
        "/api/v1/tasks", json={**body("失败"), "deadline": "2020-01-01"}, headers=keyed(CITY_OFFICE, key)
    )
    assert refused.status_code == 422
    assert (await count_rows(app, IdempotencyRecord))["idempotency_key"] == 0
    ok = await client.post("/api/v1/tasks", json=body("失败后"), headers=keyed(CITY_OFFICE, key))
    assert ok.status_code == 201


async def test_subtasks_reports_and_imports_replay(tasking: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = tasking
    task = (await client.post("/api/v1/tasks", json=body("分解"), headers=CITY_OFFICE)).json()
    base = f"/api/v1/tasks/{task['id']}"
    await client.post(f"{base}/accept", headers=COUNTY_HANDLER)
    county_office = person(COUNTY, "office")
    items = {"items": [{"title": "一季度", "deadline": "2027-03-31"}]}
    key = str(uuid.uuid4())
    first = await client.post(f"{base}/subtasks", json=items, headers=keyed(county_office, key))
    again = await client.post(f"{base}/subtasks", json=items, headers=keyed(county_office, key))
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    report = {"progress_percent": 10, "progress": "开局", "problems": "无", "measures": "继续"}
    key = str(uuid.uuid4())
    for _ in range(2):
        response = await client.post(f"{base}/reports", json=report, headers=keyed(COUNTY_HANDLER, key))
        assert response.status_code == 201
    assert (await count_rows(app, ProgressReport))["progress_report"] == 1
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("任务清单")
    ws.append(
        ["任务名称", "任务内容", "来源", "类别", "牵头单位代码", "协办单位代码", "完成时限", "工作措施"]
    )
    ws.append(["导入任务-幂等", "", "", "", COUNTY, "", "2027-06-30", ""])
    out = io.BytesIO()
    wb.save(out)
    key = str(uuid.uuid4())
    answers = []
    for _ in range(2):  # httpx picks a new multipart boundary each time: the file decides, not the bytes
        files = {"file": ("tasks.xlsx", out.getvalue(), "application/octet-stream")}
        answers.append(
            await client.post("/api/v1/tasks/import", files=files, headers=keyed(CITY_OFFICE, key))
        )
    assert answers[0].status_code == answers[1].status_code == 201, answers[0].text
    assert answers[1].json() == answers[0].json() and answers[1].headers["idempotent-replayed"] == "true"
    assert await tasks_titled(app, "导入任务-幂等") == 1


@pytest.fixture
async def replicas(postgres_url: str, vhost_amqp_url: str) -> AsyncIterator[Replicas]:
    """Two tasking app instances on the same PostgreSQL database (two replicas behind the gateway)."""
    settings = TaskingSettings(
        database_url=postgres_url, amqp_url=vhost_amqp_url, internal_secret=TEST_SECRET
    )
    async with AsyncExitStack() as stack:
        one = await stack.enter_async_context(running_service(create_app, settings))
        two = await stack.enter_async_context(running_service(create_app, settings))
        await add_orgs(one[0])
        yield one, two


async def test_a_race_on_two_replicas_creates_one_task(replicas: Replicas) -> None:
    (app, one), (_app2, two) = replicas
    for round_ in range(5):
        key, title = str(uuid.uuid4()), f"竞争-{round_}"
        answers = await asyncio.gather(
            one.post("/api/v1/tasks", json=body(title), headers=keyed(CITY_OFFICE, key)),
            two.post("/api/v1/tasks", json=body(title), headers=keyed(CITY_OFFICE, key)),
        )
        statuses = sorted(a.status_code for a in answers)
        assert statuses in ([201, 201], [201, 409]), [a.text for a in answers]
        assert await tasks_titled(app, title) == 1
        created = [a for a in answers if a.status_code == 201]
        if len(created) == 2:  # the second came after the first committed: a replay of it
            assert created[0].json() == created[1].json()
            assert any(a.headers.get("idempotent-replayed") == "true" for a in created)
        else:
            conflict = next(a for a in answers if a.status_code == 409)
            assert conflict.json()["type"] == "urn:luoshi:problem:idempotency-in-flight"
        # Retrying after the race replays the one that won, on either replica.
        retry = await two.post("/api/v1/tasks", json=body(title), headers=keyed(CITY_OFFICE, key))
        assert retry.status_code == 201 and retry.headers["idempotent-replayed"] == "true"
        assert retry.json()["id"] == created[0].json()["id"]
