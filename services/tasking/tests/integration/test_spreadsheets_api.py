"""Task lists in and ledgers out as .xlsx, through the API: all or nothing, errors by cell."""

from __future__ import annotations

import io
import os
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from luoshi_kit.db import tables_of
from luoshi_kit.testing import TEST_SECRET, running_service
from luoshi_tasking.config import TaskingSettings
from luoshi_tasking.main import create_app
from luoshi_tasking.orgs.models import Org
from luoshi_tasking.spreadsheets.xlsx import XLSX_MEDIA_TYPE, parse_task_workbook
from luoshi_tasking.tasks.models import Task

from .conftest import Person, person

PROVINCE, CITY, COUNTY, SIBLING = "520000000000", "520100000000", "520102000000", "520103000000"
TOWNSHIP = "520102001000"
IMPORT, EXPORT = "/api/v1/tasks/import", "/api/v1/tasks/export"
HEADERS = ["任务名称", "任务内容", "来源", "类别", "牵头单位代码", "协办单位代码", "完成时限", "工作措施"]
Y = date.today().year + 1


def who(org: str, *roles: str) -> Person:
    return person(org, *roles)


OFFICE = who(CITY, "office")


@pytest.fixture
async def service(postgres_url: str, vhost_amqp_url: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    settings = TaskingSettings(
        database_url=postgres_url, amqp_url=vhost_amqp_url, internal_secret=TEST_SECRET
    )
    async with running_service(create_app, settings) as (app, client):
        async with app.state.sessionmaker() as session, session.begin():
            for code, name, parent in [
                (PROVINCE, "贵州省", None),
                (CITY, "贵阳市", PROVINCE),
                (COUNTY, "南明区", CITY),
                (SIBLING, "云岩区", CITY),
                (TOWNSHIP, "新华路街道", COUNTY),
            ]:
                session.add(
                    Org(
                        code=code,
                        name=name,
                        kind="government",
                        level="county",
                        parent_code=parent,
                        active=True,
                    )
                )
        yield app, client


def workbook(rows: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("任务清单")
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(data: bytes, name: str = "tasks.xlsx") -> dict[str, Any]:
    return {"file": (name, data, XLSX_MEDIA_TYPE)}


GOOD: list[list[Any]] = [
    [
        "推进大数据战略行动",
        "建设政务数据平台",
        "市政府常务会议",
        "大数据",
        COUNTY,
        f"{SIBLING}、{TOWNSHIP}",
        date(Y, 6, 30),
        "周调度",
    ],
    ["民生实事: 新建幼儿园", "", "", "民生保障", SIBLING, "", f"{Y}-03-31", ""],
    ["山地特色农业", "发展茶产业", "", "", TOWNSHIP, COUNTY, date(Y, 9, 30), "月自查"],
]


async def state(app: FastAPI) -> tuple[int, int]:
    outbox = tables_of(app.state.sessionmaker).outbox
    async with app.state.sessionmaker() as session:
        tasks = await session.scalar(select(func.count()).select_from(Task))
        events = await session.scalar(select(func.count()).select_from(outbox))
    return int(tasks or 0), int(events or 0)


def is_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


async def test_import_then_export_round_trips(service: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = service
    imported = await client.post(IMPORT, files=upload(workbook(GOOD)), headers=OFFICE)
    assert imported.status_code == 201, imported.text
    assert imported.json()["created"] == 3
    assert await state(app) == (3, 3)  # three tasks, three tasking.task.assigned.v1 events
    listed = (await client.get("/api/v1/tasks", headers=OFFICE)).json()
    assert sorted(t["title"] for t in listed["items"]) == sorted(r[0] for r in GOOD)

    exported = await client.get(EXPORT, params={"org": CITY}, headers=OFFICE)
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == XLSX_MEDIA_TYPE
    disposition = exported.headers["content-disposition"]
    assert f"ledger-{CITY}-" in disposition and date.today().isoformat()[:4] in disposition
    ws = load_workbook(io.BytesIO(exported.content)).active
    assert ws is not None and "贵阳市" in str(ws["A1"].value) and ws.freeze_panes == "A3"
    headers = [c.value for c in ws[2]]
    rows = [dict(zip(headers, [c.value for c in r], strict=True)) for r in ws.iter_rows(min_row=3)]
    assert {r["状态"] for r in rows} == {"已交办"} and {r["进度(%)"] for r in rows} == {0}

    again = parse_task_workbook(exported.content)
    assert again.errors == []
    seen = {
        (
            t.task.title,
            t.task.lead_unit,
            tuple(t.task.co_units),
            t.task.deadline,
            t.task.measures,
            t.task.category or "",
        )
        for t in again.rows
    }
    expected = {
        (
            r[0],
            r[4],
            tuple(c for c in str(r[5]).split("、") if c),
            r[6] if isinstance(r[6], date) else date.fromisoformat(r[6]),
            r[7],
            r[3],
        )
        for r in GOOD
    }
    assert seen == expected

    county = await client.get(EXPORT, params={"org": COUNTY}, headers=who(COUNTY, "handler"))
    titles = {r.task.title for r in parse_task_workbook(county.content).rows}
    assert titles == {"推进大数据战略行动", "山地特色农业"}  # lead unit in the subtree or a co-unit


async def test_a_bad_file_imports_nothing_and_names_every_cell(
    service: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = service
    rows = [
        GOOD[0],
        ["坏代码", "", "", "", "52010", "", date(Y, 1, 1), ""],  # E3: not a code
        GOOD[1],
        ["过期任务", "", "", "", COUNTY, "", "2020-01-01", ""],  # G5: deadline in the past (service rule)
        ["越级交办", "", "", "", COUNTY, PROVINCE, date(Y, 1, 1), ""],  # F6: co-unit not below the city
    ]
    refused = is_problem(await client.post(IMPORT, files=upload(workbook(rows)), headers=OFFICE), 422)
    cells = [(e["cell"], e["header"]) for e in refused["errors"]]
    assert cells == [("E3", "牵头单位代码"), ("G5", "完成时限"), ("F6", "协办单位代码")], refused
    assert all(e["message"] for e in refused["errors"])
    assert await state(app) == (0, 0)


async def test_unusable_uploads_are_refused(service: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = service
    big = b"PK\x03\x04" + os.urandom(5 * 1024 * 1024)
    many = workbook([["t", "", "", "", COUNTY, "", date(Y, 1, 1), ""]] * 5001)
    for files, headers, status in [
        (upload(workbook(GOOD), "tasks.csv"), OFFICE, 415),
        (upload(b"a,b,c\n", "tasks.xlsx"), OFFICE, 415),
        (upload(b"", "tasks.xlsx"), OFFICE, 422),
        (upload(workbook([])), OFFICE, 422),
        (upload(b"PK\x03\x04 broken zip"), OFFICE, 422),
        (upload(big), OFFICE, 413),
        (upload(many), OFFICE, 413),
        (upload(workbook(GOOD)), who(CITY, "handler"), 403),
        ({"other": ("x.txt", b"x", "text/plain")}, OFFICE, 422),
    ]:
        is_problem(await client.post(IMPORT, files=files, headers=headers), status)
    assert await state(app) == (0, 0)


async def test_template_and_export_visibility(service: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = service
    template = await client.get(f"{IMPORT}/template", headers=OFFICE)
    assert template.status_code == 200 and template.headers["content-type"] == XLSX_MEDIA_TYPE
    assert "attachment" in template.headers["content-disposition"]
    assert len(parse_task_workbook(template.content).rows) == 1
    is_problem(await client.get(EXPORT, params={"org": SIBLING}, headers=who(COUNTY, "principal")), 404)
    is_problem(await client.get(EXPORT, params={"org": "520102999000"}, headers=OFFICE), 404)
    is_problem(await client.get(EXPORT, params={"org": "x"}, headers=OFFICE), 422)
    is_problem(await client.get(EXPORT, params={"org": CITY}), 401)
