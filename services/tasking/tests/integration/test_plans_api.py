"""Work plans (挂图作战), responsibility letters and dispatch meetings through the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from luoshi_kit.testing import TEST_SECRET, running_service
from luoshi_tasking.config import TaskingSettings
from luoshi_tasking.main import create_app
from luoshi_tasking.orgs.models import Org
from luoshi_tasking.plans.models import DispatchMeeting, Milestone, ResponsibilityLetter, WorkPlan
from luoshi_tasking.plans.rules import periods_of_year

from .conftest import Person, person

PROVINCE, CITY, COUNTY, SIBLING = "520000000000", "520100000000", "520102000000", "520103000000"
DEPARTMENT = "520102000000D01"


def who(org: str, *roles: str) -> Person:
    return person(org, *roles)


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
                (DEPARTMENT, "南明区发展改革局", COUNTY),
            ]:
                kind = "department" if len(code) > 12 else "government"
                session.add(
                    Org(code=code, name=name, kind=kind, level="county", parent_code=parent, active=True)
                )
        yield app, client


async def counts(app: FastAPI) -> dict[str, int]:
    async with app.state.sessionmaker() as session:
        return {
            m.__tablename__: int(await session.scalar(select(func.count()).select_from(m)) or 0)
            for m in (WorkPlan, Milestone, ResponsibilityLetter, DispatchMeeting)
        }


def is_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


NEXT_YEAR = date.today().year + 1


def plan_body(**overrides: Any) -> dict[str, Any]:
    y = NEXT_YEAR
    body = {
        "start": f"{y}-01-01",
        "end": f"{y}-06-30",
        "owner_person_id": "p-handler",
        "notes": "周调度、月自查",
        "milestones": [
            {
                "name": "完成招标",
                "owner_org": DEPARTMENT,
                "start": f"{y}-03-01",
                "end": f"{y}-03-31",
                "done": True,
            },
            {
                "name": "方案编制",
                "owner_person_id": "p-a",
                "start": f"{y}-01-01",
                "end": f"{y}-02-28",
                "done": True,
            },
            {"name": "建成上线", "start": f"{y}-04-01", "end": f"{y}-06-30"},
            {"name": "试运行", "start": f"{y}-04-01", "end": f"{y}-05-31"},
        ],
    }
    return body | overrides


async def test_plan_chart(service: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = service
    created = await client.post(
        "/api/v1/tasks",
        json={"title": "推进大数据战略行动", "lead_unit": COUNTY, "deadline": f"{NEXT_YEAR}-06-30"},
        headers=who(CITY, "office"),
    )
    assert created.status_code == 201, created.text
    task_id = created.json()["id"]
    url = f"/api/v1/tasks/{task_id}/plan"
    empty = (await client.get(url, headers=who(COUNTY, "handler"))).json()
    assert empty["planned"] is False and [b["kind"] for b in empty["bars"]] == ["plan"]

    put = await client.put(url, json=plan_body(), headers=who(COUNTY, "handler"))
    assert put.status_code == 200, put.text
    chart = put.json()
    assert chart["planned"] and chart["version"] == 1 and chart["owner_org"] == COUNTY
    assert chart["progress"] == 50
    assert [b["name"] for b in chart["bars"]] == [
        "推进大数据战略行动",
        "方案编制",
        "完成招标",
        "试运行",
        "建成上线",
    ]
    bar = chart["bars"][2]
    assert (bar["start"], bar["end"], bar["progress"], bar["owner_org"], bar["late"]) == (
        f"{NEXT_YEAR}-03-01",
        f"{NEXT_YEAR}-03-31",
        100,
        DEPARTMENT,
        False,
    )
    again = (await client.get(url, headers=who(CITY, "office"))).json()
    assert again["bars"] == chart["bars"]

    before = await counts(app)
    y = NEXT_YEAR
    for body, headers, status in [
        (plan_body(end=f"{y - 1}-12-01"), who(COUNTY, "handler"), 422),
        (
            plan_body(milestones=[{"name": "越界", "start": f"{y}-05-01", "end": f"{y}-07-31"}]),
            who(COUNTY, "handler"),
            422,
        ),
        (
            plan_body(milestones=[{"name": "倒置", "start": f"{y}-05-01", "end": f"{y}-04-01"}]),
            who(COUNTY, "handler"),
            422,
        ),
        (plan_body(owner_org="520102000000D77"), who(COUNTY, "handler"), 422),  # unknown organisation
        (plan_body(milestones=[{"name": ""}]), who(COUNTY, "handler"), 422),
        (plan_body(), who(COUNTY, "observer"), 403),
        (plan_body(), who(SIBLING, "principal"), 404),
    ]:
        is_problem(await client.put(url, json=body, headers=headers), status)
    is_problem(await client.get(url, headers=who(SIBLING, "principal")), 404)
    is_problem(
        await client.put("/api/v1/tasks/nope/plan", json=plan_body(), headers=who(COUNTY, "handler")), 404
    )
    assert await counts(app) == before
    assert (await client.get(url, headers=who(COUNTY, "handler"))).json()["version"] == 1

    # A superior reads the plan but does not write it: the lead unit draws it up.
    is_problem(await client.put(url, json=plan_body(milestones=[]), headers=who(CITY, "office")), 403)
    replaced = (await client.put(url, json=plan_body(milestones=[]), headers=who(COUNTY, "office"))).json()
    assert (
        replaced["version"] == 2
        and len(replaced["bars"]) == 1
        and (await counts(app))["work_plan_milestone"] == 0
    )


async def test_responsibility_letters(service: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = service
    letter = {
        "issuing_org": CITY,
        "signing_org": COUNTY,
        "title": "2026年目标责任书",
        "year": 2026,
        "targets": "完成重点任务 30 项",
        "signed_on": "2026-01-15",
    }
    city = who(CITY, "principal")
    created = await client.post("/api/v1/responsibility-letters", json=letter, headers=city)
    assert created.status_code == 201, created.text
    county_dept = letter | {"issuing_org": COUNTY, "signing_org": DEPARTMENT}
    assert (
        await client.post(
            "/api/v1/responsibility-letters", json=county_dept, headers=who(COUNTY, "principal")
        )
    ).status_code == 201

    before = await counts(app)
    for body, headers, status in [
        (letter | {"signing_org": PROVINCE}, city, 404),  # outside the person's subtree
        (letter | {"signing_org": CITY}, city, 422),
        (letter | {"issuing_org": PROVINCE}, city, 404),  # outside the person's subtree
        (letter | {"signing_org": SIBLING, "issuing_org": COUNTY}, who(COUNTY, "principal"), 404),
        (letter | {"signed_on": (date.today() + timedelta(days=2)).isoformat()}, city, 422),
        (letter | {"year": 1990}, city, 422),
        (letter | {"targets": ""}, city, 422),
        (letter, who(CITY, "handler"), 403),
    ]:
        is_problem(await client.post("/api/v1/responsibility-letters", json=body, headers=headers), status)
    assert await counts(app) == before

    assert (await client.get("/api/v1/responsibility-letters", headers=city)).json()["total"] == 2
    county = (await client.get("/api/v1/responsibility-letters", headers=who(COUNTY, "handler"))).json()
    assert county["total"] == 2
    assert (await client.get("/api/v1/responsibility-letters", headers=who(SIBLING, "principal"))).json()[
        "total"
    ] == 0
    by_org = (
        await client.get(
            "/api/v1/responsibility-letters", params={"org": DEPARTMENT, "year": 2026}, headers=city
        )
    ).json()
    assert [i["signing_org"] for i in by_org["items"]] == [DEPARTMENT]


async def test_dispatch_meetings_and_gaps(service: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = service
    url = "/api/v1/dispatch-meetings"
    year = date.today().year - 1  # a whole past year: every period has ended
    principal = who(COUNTY, "principal")
    for kind, held_on in [
        ("principal", f"{year}-02-10"),
        ("principal", f"{year}-08-10"),
        ("principal", f"{year}-11-10"),
        ("deputy", f"{year}-05-06"),
    ]:
        response = await client.post(
            url,
            headers=principal,
            json={"org_code": COUNTY, "kind": kind, "held_on": held_on, "topic": "听取分管负责同志汇报"},
        )
        assert response.status_code == 201, response.text
    handler = await client.post(
        url,
        headers=who(COUNTY, "handler"),
        json={"org_code": COUNTY, "kind": "unit", "held_on": f"{year}-03-04", "topic": "工作例会"},
    )
    assert handler.status_code == 201, handler.text

    gaps = await client.get(f"{url}/gaps", params={"org": COUNTY, "year": year}, headers=principal)
    assert gaps.status_code == 200, gaps.text
    kinds = {k["kind"]: k for k in gaps.json()["kinds"]}
    assert [p["label"] for p in kinds["principal"]["missing"]] == [f"{year}Q2"]
    assert kinds["principal"]["held"] == 3 and kinds["principal"]["cadence"] == "quarter"
    assert len(kinds["deputy"]["missing"]) == 11 and f"{year}-05" not in {
        p["label"] for p in kinds["deputy"]["missing"]
    }
    assert (
        len(kinds["unit"]["missing"]) == len(periods_of_year("week", year)) - 1 and kinds["unit"]["held"] == 1
    )

    listed = (
        await client.get(url, params={"org": COUNTY, "kind": "principal"}, headers=who(CITY, "office"))
    ).json()
    assert listed["total"] == 3
    assert (await client.get(url, headers=who(SIBLING, "principal"))).json()["total"] == 0
    is_problem(await client.get(f"{url}/gaps", params={"org": SIBLING}, headers=principal), 404)
    is_problem(await client.get(f"{url}/gaps", params={"org": "bad"}, headers=principal), 422)

    before = await counts(app)
    good = {"org_code": COUNTY, "kind": "deputy", "held_on": f"{year}-06-01", "topic": "推进会"}
    for body, headers, status in [
        (good | {"kind": "weekly"}, principal, 422),
        (good | {"held_on": (date.today() + timedelta(days=2)).isoformat()}, principal, 422),
        (good | {"org_code": SIBLING}, principal, 404),
        (good | {"org_code": "520102000000D55"}, principal, 422),
        (good | {"topic": ""}, principal, 422),
        (good, who(COUNTY, "handler"), 403),
    ]:
        is_problem(await client.post(url, json=body, headers=headers), status)
    assert await counts(app) == before
