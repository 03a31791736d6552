"""交办's everyday request is answered ahead of FastAPI (``tasks.creating.TaskCreateRoute``): what it answers
must be what the declared route answers for the same request — the created task alike, and every refusal
(FastAPI's own 422s, the service's problems, a missing identity, an oversized body) byte for byte."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from luoshi_kit.fast_routes import EverydayRoute
from luoshi_kit.identity import IDENTITY_HEADER
from luoshi_tasking.tasks import creating
from luoshi_tasking.tasks.models import Task, TaskEvent
from luoshi_tasking.tasks.routes import router

from .conftest import COUNTY, PROVINCE, SIBLING_COUNTY, TOWNSHIP, count_rows, person

Service = tuple[FastAPI, httpx.AsyncClient]
CLERK = person(PROVINCE, "office")
JSON = {"content-type": "application/json"}
CHANGING = ("id", "created_at", "updated_at")  # differ between any two created tasks


@contextmanager
def declared_only(app: FastAPI) -> Iterator[None]:
    """The app as FastAPI alone routes it: the everyday routes set aside."""
    routes = app.router.routes
    kept = list(routes)
    routes[:] = [r for r in routes if not isinstance(r, EverydayRoute)]
    try:
        yield
    finally:
        routes[:] = kept


@pytest.fixture
def fast_answers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per create the everyday route itself answered (the declared route calls its own import)."""
    calls: list[int] = []
    answer = creating.create_answer

    async def counted(**kwargs: Any) -> Any:
        calls.append(1)
        return await answer(**kwargs)

    monkeypatch.setattr(creating, "create_answer", counted)
    return calls


async def both(app: FastAPI, client: httpx.AsyncClient, body: bytes, headers: Any) -> list[httpx.Response]:
    """The same request, answered with the everyday route in front and by the declared route alone."""
    fast = await client.post("/api/v1/tasks", content=body, headers=headers)
    with declared_only(app):
        declared = await client.post("/api/v1/tasks", content=body, headers=headers)
    return [fast, declared]


def comparable(response: httpx.Response) -> tuple[int, dict[str, str], Any]:
    headers = {k: v for k, v in response.headers.items() if k not in ("date", "x-request-id", "traceparent")}
    body = response.json()
    if response.status_code == 201:
        body = {k: v for k, v in body.items() if k not in CHANGING}
    return response.status_code, headers, body


async def test_a_created_task_is_answered_alike(tasking: Service, fast_answers: list[int]) -> None:
    app, client = tasking
    body = {
        "title": "优化营商环境",
        "lead_unit": COUNTY,
        "co_units": [TOWNSHIP],
        "deadline": "2099-06-30",
        "start_date": "2099-01-01",
        "report_due_dates": ["2099-03-31"],
        "category": "七大体系",
    }
    fast, declared = await both(app, client, json.dumps(body).encode(), {**CLERK, **JSON})
    assert fast_answers == [1]
    assert comparable(fast) == comparable(declared)
    assert fast.json()["id"] != declared.json()["id"]
    assert await count_rows(app, Task, TaskEvent) == {"task": 2, "task_event": 2}
    trace = await client.get(f"/api/v1/tasks/{fast.json()['id']}/events", headers=CLERK)
    assert [e["action"] for e in trace.json()] == ["assigned"]


@pytest.mark.parametrize(
    "body",
    [
        b'{"title": "x", "lead_unit": "520102000000"}',  # no deadline: FastAPI's 422
        b'{"title": "", "lead_unit": "520102000000", "deadline": "2099-01-01"}',
        b'{"title": "x", "lead_unit": "5201", "deadline": "2099-01-01", "extra": 1}',
        b'{"title": "x", "lead_unit": "520102000000", "deadline": "2099-01-01",',  # malformed JSON
        b"[1, 2]",
        b"",
        b"\xff\xfe",  # not UTF-8
        json.dumps({"title": "x", "lead_unit": COUNTY, "deadline": "2001-01-01"}).encode(),  # the past
        json.dumps({"title": "x", "lead_unit": SIBLING_COUNTY, "deadline": "2099-01-01"}).encode(),
        json.dumps(
            {"title": "x", "lead_unit": COUNTY, "co_units": [COUNTY], "deadline": "2099-01-01"}
        ).encode(),
        json.dumps({"title": "x", "lead_unit": "520102099000", "deadline": "2099-01-01"}).encode(),  # unknown
    ],
)
async def test_a_refused_create_is_refused_alike(tasking: Service, body: bytes) -> None:
    app, client = tasking
    county_clerk = person(COUNTY, "office")
    fast, declared = await both(app, client, body, {**county_clerk, **JSON})
    assert fast.status_code >= 400
    assert comparable(fast) == comparable(declared)
    assert fast.content == declared.content
    assert await count_rows(app, Task, TaskEvent) == {"task": 0, "task_event": 0}


async def test_the_caller_is_checked_as_the_declared_route_checks(tasking: Service) -> None:
    app, client = tasking
    valid = json.dumps({"title": "x", "lead_unit": COUNTY, "deadline": "2099-01-01"}).encode()
    for headers in ({}, {IDENTITY_HEADER: "forged"}):
        for body in (valid, b'{"title": 1}', b"{"):  # FastAPI reads the body, then asks who is calling
            fast, declared = await both(app, client, body, {**headers, **JSON})
            assert fast.content == declared.content, body
            assert fast.status_code == declared.status_code == (422 if body == b"{" else 401)
    staff = person(PROVINCE, "staff")  # may not assign
    fast, declared = await both(app, client, valid, {**staff, **JSON})
    assert fast.status_code == declared.status_code == 403
    assert fast.content == declared.content


async def test_an_oversized_body_is_refused_alike(tasking: Service) -> None:
    app, client = tasking
    body = json.dumps({"title": "x", "description": "长" * 400_000, "lead_unit": COUNTY}).encode()
    chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)]

    async def stream() -> Any:
        for chunk in chunks:  # no Content-Length: the limit is met while the body is read
            yield chunk

    answers = []
    for only_declared in (False, True):
        with declared_only(app) if only_declared else _nothing():
            answers.append(await client.post("/api/v1/tasks", content=stream(), headers={**CLERK, **JSON}))
    assert answers[0].status_code == answers[1].status_code == 413
    assert answers[0].content == answers[1].content


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def test_only_a_plain_json_request_without_a_key_takes_the_everyday_route() -> None:
    route = creating.TaskCreateRoute()

    def scope(method: str = "POST", path: str = "/api/v1/tasks", **headers: str) -> dict[str, Any]:
        raw = [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
        return {"type": "http", "method": method, "path": path, "root_path": "", "headers": raw}

    assert route.everyday(scope(content_type="application/json")) == {}
    assert route.everyday(scope(content_type="Application/JSON; charset=UTF-8")) == {}
    for declared in (
        scope(),  # no content type: FastAPI parses it as JSON all the same, the declared route decides
        scope(content_type="text/plain"),
        scope(content_type="application/merge-patch+json"),
        scope(content_type="application/json", idempotency_key="k-1"),
    ):
        assert route.everyday(declared) is None
    assert route.matches(scope("GET", content_type="application/json"))[0].name == "NONE"
    assert route.matches(scope(path="/api/v1/tasks/x", content_type="application/json"))[0].name == "NONE"
    assert any(getattr(r, "path", "") == "/api/v1/tasks" for r in router.routes)
