"""One answer for one thing (issue 9, item 4 and issue 8, items 9 and 11): out of scope is 404 in filters
and in writes, writes answer what reads answer, every list is a bounded page, errors are one bilingual
problem shape (validation errors included), wrong methods 405 with ``Allow``."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
from fastapi import FastAPI

from luoshi_tasking.plans.models import DispatchMeeting, ResponsibilityLetter
from luoshi_tasking.tasks.models import Task

from .conftest import CITY, COUNTY, SIBLING_COUNTY, count_rows, person

COUNTY_OFFICE = person(COUNTY, "office")
CITY_OFFICE = person(CITY, "office")
TOO_FAR = 2**63
DEADLINE = (date.today() + timedelta(days=200)).isoformat()

LISTS = [
    "/api/v1/tasks",
    "/api/v1/documents",
    "/api/v1/responsibility-letters",
    "/api/v1/dispatch-meetings",
]


def problem(response: httpx.Response, status: int, slug: str | None = None) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, object] = response.json()
    assert body["status"] == status and body["title"] and body["detail"], body
    if slug:
        assert body["type"] == f"urn:luoshi:problem:{slug}", body
    return body


async def test_a_sibling_in_a_filter_is_404_on_every_list(tasking: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = tasking
    for path in LISTS:
        problem(
            await client.get(path, params={"org": SIBLING_COUNTY}, headers=COUNTY_OFFICE), 404, "not-found"
        )
        assert (await client.get(path, params={"org": COUNTY}, headers=COUNTY_OFFICE)).status_code == 200


async def test_a_sibling_in_a_write_is_404_and_nothing_is_written(
    tasking: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = tasking
    before = await count_rows(app, Task, DispatchMeeting, ResponsibilityLetter)
    meeting = {
        "org_code": SIBLING_COUNTY,
        "kind": "unit",
        "held_on": date.today().isoformat(),
        "topic": "例会",
    }
    problem(await client.post("/api/v1/dispatch-meetings", json=meeting, headers=COUNTY_OFFICE), 404)
    task = {"title": "越界交办", "lead_unit": SIBLING_COUNTY, "deadline": DEADLINE}
    problem(await client.post("/api/v1/tasks", json=task, headers=COUNTY_OFFICE), 404, "not-found")
    own = {"title": "向本级交办", "lead_unit": COUNTY, "deadline": DEADLINE}
    problem(
        await client.post("/api/v1/tasks", json=own, headers=COUNTY_OFFICE), 422, "assign-outside-subtree"
    )
    assert await count_rows(app, Task, DispatchMeeting, ResponsibilityLetter) == before


async def test_writes_answer_what_reads_answer(tasking: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = tasking
    created = await client.post(
        "/api/v1/tasks",
        json={"title": "推进", "lead_unit": COUNTY, "deadline": DEADLINE},
        headers=CITY_OFFICE,
    )
    assert created.status_code == 201, created.text
    assert created.json()["status"] is not None
    read = (await client.get(f"/api/v1/tasks/{created.json()['id']}", headers=CITY_OFFICE)).json()
    assert created.json() == read
    accepted = await client.post(f"/api/v1/tasks/{read['id']}/accept", headers=person(COUNTY, "handler"))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] is not None and set(accepted.json()) == set(read)


async def test_every_list_is_a_bounded_page(tasking: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = tasking
    for path in LISTS:
        page = (await client.get(path, headers=COUNTY_OFFICE)).json()
        assert {"items", "total", "offset", "limit", "has_more", "next_offset", "total_is_estimate"} <= set(
            page
        )
        for params in (
            {"offset": TOO_FAR},
            {"offset": 100_001},
            {"offset": -1},
            {"limit": 0},
            {"limit": 201},
        ):
            body = problem(await client.get(path, params=params, headers=COUNTY_OFFICE), 422, "validation")
            assert body["errors"], body
        assert (await client.get(path, params={"offset": 100_000}, headers=COUNTY_OFFICE)).status_code == 200


async def test_validation_errors_speak_chinese_first(tasking: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = tasking
    body = problem(await client.post("/api/v1/tasks", json={}, headers=CITY_OFFICE), 422, "validation")
    errors = body["errors"]
    assert isinstance(errors, list)
    missing = next(e for e in errors if e["loc"] == ["body", "title"])
    assert missing == {"loc": ["body", "title"], "msg": "缺少必填字段 Field required", "type": "missing"}
    assert str(body["detail"]).startswith("请求内容未通过校验")
    long = {"title": "长" * 201, "lead_unit": COUNTY, "deadline": DEADLINE}
    too_long = problem(await client.post("/api/v1/tasks", json=long, headers=CITY_OFFICE), 422)
    assert str(too_long["errors"][0]["msg"]).startswith("字符串过长 (至多 200 个字符)")  # type: ignore[index]
    ge = problem(await client.get("/api/v1/tasks", params={"offset": -1}, headers=CITY_OFFICE), 422)
    assert str(ge["errors"][0]["msg"]).startswith("应大于或等于 0")  # type: ignore[index]
    broken = await client.post(
        "/api/v1/tasks", content=b"{oops", headers={**CITY_OFFICE, "content-type": "application/json"}
    )
    assert problem(broken, 422)["errors"][0]["msg"].startswith("JSON 格式无效")  # type: ignore[index]


async def test_wrong_methods_and_unknown_routes(tasking: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = tasking
    wrong = await client.delete("/api/v1/tasks", headers=CITY_OFFICE)
    body = problem(wrong, 405, "method-not-allowed")
    assert wrong.headers["allow"] == "GET, HEAD, POST"  # both routes on the path, not just the first
    assert str(body["title"]).startswith("方法不允许")
    unknown = problem(await client.get("/api/v1/nothing-here", headers=CITY_OFFICE), 404, "not-found")
    assert "/api/v1/nothing-here" in str(unknown["detail"])
