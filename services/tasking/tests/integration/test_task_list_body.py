"""The task list answers its page without a ``TaskOut`` per task (``tasks.listing.page_body``), its everyday
request ahead of FastAPI (``tasks.listing.TaskListRoute``): either way its body must be the very bytes the
models give for the same tasks, whatever the tasks hold, and what it refuses it refuses alike."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from luoshi_kit.identity import IDENTITY_HEADER
from luoshi_kit.paging import PageParams
from luoshi_kit.timebase import business_today
from luoshi_tasking.tasks import service
from luoshi_tasking.tasks.listing import everyday_query
from luoshi_tasking.tasks.models import Task
from luoshi_tasking.tasks.schemas import TaskPage
from luoshi_tasking.tasks.status import with_status

from .conftest import CITY, COUNTY, PROVINCE, TOWNSHIP, person

Service = tuple[FastAPI, httpx.AsyncClient]
CLERK = person(PROVINCE, "office")


def varied_tasks(today: date) -> list[Task]:
    """Tasks of every colour and every optional field, set and unset (written as the ORM writes them)."""
    created = datetime(2026, 1, 5, 2, 30, 15, 123456, tzinfo=UTC)
    full = {
        "source": "省委全会",
        "source_level": "省委",
        "source_ref": "黔委发〔2026〕1号",
        "category": "七大体系",
        "co_units": [CITY, TOWNSHIP],
        "principal_id": "p-1",
        "deputy_id": "p-2",
        "handler_id": "p-3",
        "start_date": date(2026, 1, 1),
        "nature": "yearly",
        "report_due_dates": ["2026-03-31", "2026-06-30"],
        "parent_id": str(uuid.uuid4()),
        "period_kind": "quarter",
        "period_label": "2026Q1",
        "accepted_at": created + timedelta(days=1),
        "last_report_at": created + timedelta(days=20, microseconds=-123456),
    }
    cases: list[dict[str, Any]] = [
        {"deadline": today + timedelta(days=400)},  # green, nothing optional
        {
            **full,
            "deadline": today + timedelta(days=2),
            "state": "accepted",
            "progress_percent": 95,
        },  # due soon
        {
            **full,
            "deadline": today + timedelta(days=60),
            "state": "accepted",
            "progress_percent": 0,
        },  # yellow
        {"deadline": today - timedelta(days=3), "state": "accepted", "progress_percent": 40},  # red
        {
            **full,
            "deadline": today - timedelta(days=30),
            "state": "closed",
            "progress_percent": 100,
            "completed_at": created + timedelta(days=50),
            "closed_at": created + timedelta(days=51),
        },
        {
            "deadline": date(2031, 12, 31),
            "start_date": date(2030, 1, 1),
            "description": "多行\n说明",
        },  # provisional
    ]
    tasks = []
    for number, case in enumerate(cases):
        values: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "title": f"清单任务 {number}",
            "description": "",
            "issuing_org": PROVINCE,
            "lead_unit": COUNTY,
            "co_units": [],
            "report_due_dates": [],
            "original_deadline": case["deadline"],
            "extension_count": number % 2,
            "required_progress": "按季度推进",
            "measures": "",
            "progress_percent": 0,
            "state": "assigned",
            "created_by": "p-clerk",
            "created_at": created + timedelta(seconds=number),
            "updated_at": created + timedelta(seconds=number, microseconds=1),
        }
        tasks.append(Task(**(values | case)))
    return tasks


async def models_body(app: FastAPI, params: dict[str, Any]) -> bytes:
    """What the page answered when each task was a ``TaskOut`` (the response model's own dump)."""
    page = PageParams(offset=params.get("offset", 0), limit=params["limit"])
    async with app.state.sessionmaker() as session:
        rows, total, estimated = await service.list_tasks(
            session=session,
            identity=CLERK.identity,
            offset=page.offset,
            limit=page.limit,
            state=params.get("state"),
            org=params.get("org"),
            sort=params.get("sort", "deadline"),
            count=params.get("total") in (True, "True"),
        )
        items = await with_status(session=session, tasks=rows)
    return TaskPage.of(items, total, page, estimated=estimated).model_dump_json().encode()


async def test_the_list_body_is_the_models_own(tasking: Service) -> None:
    app, client = tasking
    async with app.state.sessionmaker() as session, session.begin():
        session.add_all(varied_tasks(business_today()))
    everyday: list[dict[str, Any]] = [  # answered by listing.TaskListRoute
        {"limit": 20},
        {"limit": 2},  # a lower-bound total, a next offset
        {"limit": 2, "offset": 4},  # the last page
        {"limit": 3, "offset": 1, "total": True, "sort": "-created_at"},
        {"limit": 2, "offset": 10},  # past the end
    ]
    declared: list[dict[str, Any]] = [  # by routes.list_tasks
        {"limit": 20, "org": PROVINCE},
        {"limit": 2, "offset": 1, "total": "True"},
        {"limit": 3, "state": ["accepted", "closed"], "sort": "-deadline"},
    ]
    for params in everyday + declared:
        response = await client.get("/api/v1/tasks", params=params, headers=CLERK)
        assert response.status_code == 200, response.text
        assert (everyday_query(response.request.url.query) is not None) == (params in everyday), params
        assert response.headers["content-type"] == "application/json"
        assert response.content == await models_body(app, params), params
    colours = {
        item["status"]["colour"]
        for item in (await client.get("/api/v1/tasks", headers=CLERK)).json()["items"]
    }
    assert colours == {"green", "yellow", "red"}


async def test_the_everyday_route_refuses_as_the_declared_one(tasking: Service) -> None:
    _app, client = tasking
    for query in ("limit=20", "limit=20&state=assigned"):  # the everyday route's, then the declared one's
        unsigned = await client.get(f"/api/v1/tasks?{query}")
        forged = await client.get(f"/api/v1/tasks?{query}", headers={IDENTITY_HEADER: "forged"})
        assert (unsigned.status_code, forged.status_code) == (401, 401)
        assert unsigned.json()["detail"] == "缺少网关签发的身份 (请经网关访问)"
        assert forged.json()["detail"].startswith("无效的内部身份")


def test_only_a_plain_everyday_query_takes_the_everyday_route() -> None:
    page = everyday_query(b"limit=20&offset=40&sort=-created_at&total=true")
    assert page == {"page": PageParams(offset=40, limit=20), "sort": "-created_at", "count": True}
    assert everyday_query(b"") == {"page": PageParams(offset=0, limit=50), "sort": "deadline", "count": False}
    for declared in (
        b"limit=20&limit=30",  # given twice
        b"limit=020",  # not spelled plainly
        b"limit=+20",
        b"limit=0",  # out of range: FastAPI answers 422
        b"limit=201",
        b"offset=100001",
        b"total=True",
        b"total=1",
        b"sort=title",
        b"limit=20&state=assigned",  # a filter
        b"limit=20&x",
    ):
        assert everyday_query(declared) is None, declared
