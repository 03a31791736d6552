"""Important documents (学习解读) through the API, and the scan, against PostgreSQL and RabbitMQ."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from luoshi_kit.db import tables_of
from luoshi_kit.testing import TEST_SECRET, running_service
from luoshi_tasking.calendar.service import load_calendar
from luoshi_tasking.config import TaskingSettings
from luoshi_tasking.documents.jobs import run_document_scans
from luoshi_tasking.documents.models import Document, DocumentAlert, StudyReport, StudySession
from luoshi_tasking.documents.scan import scan_documents
from luoshi_tasking.main import create_app
from luoshi_tasking.orgs.models import Org

from .conftest import Person, person

PROVINCE, CITY, COUNTY, SIBLING = "520000000000", "520100000000", "520102000000", "520103000000"
DEPARTMENT = "520100000000D05"
API = "/api/v1/documents"


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
                (DEPARTMENT, "贵阳市发展改革委", CITY),
            ]:
                kind = "department" if len(code) > 12 else "government"
                session.add(
                    Org(code=code, name=name, kind=kind, level="city", parent_code=parent, active=True)
                )
        yield app, client


def doc_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "title": "国务院关于推进大数据发展的意见",
        "issuer_level": "国务院",
        "reference": "国发〔2026〕8号",
        "issue_date": "2026-02-12",
        "org_code": DEPARTMENT,
        "especially_important": False,
    }
    return body | overrides


async def counts(app: FastAPI) -> dict[str, int]:
    async with app.state.sessionmaker() as session:
        return {
            m.__tablename__: int(await session.scalar(select(func.count()).select_from(m)) or 0)
            for m in (Document, StudySession, StudyReport, DocumentAlert)
        }


async def alert_types(app: FastAPI) -> Counter[str]:
    outbox = tables_of(app.state.sessionmaker).outbox
    async with app.state.sessionmaker() as session:
        types = (await session.scalars(select(outbox.event_type))).all()
    return Counter(t for t in types if t.startswith("tasking.document."))


def is_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


async def test_register_study_and_report(service: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = service
    created = await client.post(API, json=doc_body(), headers=OFFICE)
    assert created.status_code == 201, created.text
    doc = created.json()
    # Spring Festival 2026: Fri 13, Sat 14 (调休), then Feb 24, 25, 26.
    assert doc["study_due"] == "2026-02-26" and doc["status"] == "study_overdue" and not doc["provisional"]
    important = (
        await client.post(
            API, json=doc_body(issue_date="2026-02-15", especially_important=True), headers=OFFICE
        )
    ).json()
    assert important["study_due"] == "2026-02-24"

    session = await client.post(
        f"{API}/{doc['id']}/sessions",
        json={
            "held_on": "2026-02-13",
            "attendees": "分管副市长、发展改革委主要负责人",
            "summary": "背景、新要求、争取政策",
        },
        headers=who(DEPARTMENT, "principal"),
    )
    assert session.status_code == 201, session.text
    detail = (await client.get(f"{API}/{doc['id']}", headers=OFFICE)).json()
    assert detail["session_date"] == "2026-02-13" and detail["report_due"] == "2026-02-24"
    assert detail["status"] == "report_overdue" and len(detail["sessions"]) == 1

    report = await client.post(
        f"{API}/{doc['id']}/reports",
        json={"reported_on": "2026-02-24", "content": "已报告市政府"},
        headers=OFFICE,
    )
    assert report.status_code == 201, report.text
    detail = (await client.get(f"{API}/{doc['id']}", headers=OFFICE)).json()
    assert detail["status"] == "reported" and detail["reports"][0]["content"] == "已报告市政府"

    listed = (await client.get(API, headers=who(PROVINCE, "office"))).json()
    assert listed["total"] == 2
    assert (await client.get(API, params={"org": DEPARTMENT}, headers=OFFICE)).json()["total"] == 2


async def test_other_organisations_see_nothing(service: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = service
    doc = (await client.post(API, json=doc_body(), headers=OFFICE)).json()
    sibling = who(SIBLING, "principal")
    is_problem(await client.get(f"{API}/{doc['id']}", headers=sibling), 404)
    assert (await client.get(API, headers=sibling)).json()["total"] == 0
    is_problem(
        await client.post(
            f"{API}/{doc['id']}/sessions",
            headers=sibling,
            json={"held_on": "2026-02-13", "attendees": "x", "summary": "y"},
        ),
        404,
    )
    is_problem(await client.get(f"{API}/{doc['id']}", headers=who(COUNTY, "principal")), 404)


async def test_rules_are_admin_only_and_change_the_deadlines(
    service: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    _, client = service
    defaults = (await client.get(f"{API}/rules", headers=OFFICE)).json()
    assert (
        defaults["study_working_days"],
        defaults["important_study_working_days"],
        defaults["report_working_days"],
    ) == (5, 0, 2)
    new = {"study_working_days": 3, "important_study_working_days": 1, "report_working_days": 1}
    is_problem(await client.put(f"{API}/rules", json=new, headers=OFFICE), 403)
    is_problem(
        await client.put(
            f"{API}/rules", json=new | {"study_working_days": 0}, headers=who(PROVINCE, "admin")
        ),
        422,
    )
    assert (await client.get(f"{API}/rules", headers=OFFICE)).json()["study_working_days"] == 5
    changed = await client.put(f"{API}/rules", json=new, headers=who(PROVINCE, "admin"))
    assert changed.status_code == 200 and changed.json()["updated_by"] == f"p-{PROVINCE}-admin"
    doc = (await client.post(API, json=doc_body(issue_date="2026-03-02"), headers=OFFICE)).json()
    assert doc["study_due"] == "2026-03-05"


async def test_bad_input_is_refused_and_writes_nothing(service: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = service
    doc = (await client.post(API, json=doc_body(), headers=OFFICE)).json()
    before = await counts(app)
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    for body, headers, status in [
        (doc_body(issuer_level="市委"), OFFICE, 422),
        (doc_body(title=""), OFFICE, 422),
        (doc_body(org_code="52010"), OFFICE, 422),
        (doc_body(issue_date=tomorrow), OFFICE, 422),
        (doc_body(org_code="520100000000D99"), OFFICE, 422),  # unknown organisation
        (doc_body(org_code=SIBLING), who(COUNTY, "office"), 422),  # outside the person's subtree
        (doc_body(), who(CITY, "handler"), 403),
        (doc_body() | {"extra": 1}, OFFICE, 422),
    ]:
        is_problem(await client.post(API, json=body, headers=headers), status)
    sessions = f"{API}/{doc['id']}/sessions"
    for body, headers, status in [
        ({"held_on": "2026-02-13", "attendees": "x", "summary": ""}, OFFICE, 422),
        ({"held_on": "2026-02-11", "attendees": "x", "summary": "y"}, OFFICE, 422),  # before the issue date
        ({"held_on": tomorrow, "attendees": "x", "summary": "y"}, OFFICE, 422),
        ({"held_on": "2026-02-13", "attendees": "x", "summary": "y"}, who(CITY, "handler"), 403),
    ]:
        is_problem(await client.post(sessions, json=body, headers=headers), status)
    reports = f"{API}/{doc['id']}/reports"
    is_problem(
        await client.post(reports, json={"reported_on": "2026-02-20", "content": "x"}, headers=OFFICE), 409
    )
    is_problem(await client.post(reports, json={"reported_on": "2026-02-20"}, headers=OFFICE), 422)
    is_problem(
        await client.post(
            f"{API}/nope/reports", json={"reported_on": "2026-02-20", "content": "x"}, headers=OFFICE
        ),
        404,
    )
    assert await counts(app) == before
    assert (
        await client.post(
            sessions, json={"held_on": "2026-02-24", "attendees": "x", "summary": "y"}, headers=OFFICE
        )
    ).status_code == 201
    is_problem(
        await client.post(reports, json={"reported_on": "2026-02-23", "content": "x"}, headers=OFFICE), 422
    )
    assert (await counts(app))["document_report"] == 0


async def _scan(app: FastAPI, today: date) -> int:
    async with app.state.sessionmaker() as session, session.begin():
        cal = await load_calendar(session=session)
        return await scan_documents(session=session, today=today, cal=cal)


async def test_scan_raises_each_alert_exactly_once(service: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = service
    due_today = (await client.post(API, json=doc_body(issue_date="2026-03-02"), headers=OFFICE)).json()
    overdue = (await client.post(API, json=doc_body(issue_date="2026-02-12"), headers=OFFICE)).json()
    studied = (await client.post(API, json=doc_body(issue_date="2026-03-02"), headers=OFFICE)).json()
    await client.post(
        f"{API}/{studied['id']}/sessions",
        headers=OFFICE,
        json={"held_on": "2026-03-03", "attendees": "x", "summary": "y"},
    )
    reported = (await client.post(API, json=doc_body(issue_date="2026-03-02"), headers=OFFICE)).json()
    await client.post(
        f"{API}/{reported['id']}/sessions",
        headers=OFFICE,
        json={"held_on": "2026-03-03", "attendees": "x", "summary": "y"},
    )
    await client.post(
        f"{API}/{reported['id']}/reports", headers=OFFICE, json={"reported_on": "2026-03-04", "content": "z"}
    )
    assert due_today["study_due"] == "2026-03-09"

    assert await _scan(app, date(2026, 3, 9)) == 3  # study_due, study_overdue, report_overdue (due Mar 5)
    assert await _scan(app, date(2026, 3, 9)) == 0
    assert await alert_types(app) == Counter(
        {
            "tasking.document.study_due.v1": 1,
            "tasking.document.study_overdue.v1": 1,
            "tasking.document.report_overdue.v1": 1,
        }
    )
    # The next day the first becomes overdue, once; the other two stay quiet.
    assert await _scan(app, date(2026, 3, 10)) == 1
    assert await _scan(app, date(2026, 3, 11)) == 0
    assert (await alert_types(app))["tasking.document.study_overdue.v1"] == 2

    # Two replicas scanning at once still raise nothing twice.
    fresh = (await client.post(API, json=doc_body(issue_date="2026-03-02"), headers=OFFICE)).json()
    results = await asyncio.gather(*(_scan(app, date(2026, 3, 20)) for _ in range(2)), return_exceptions=True)
    raised = sum(r for r in results if isinstance(r, int))
    assert raised == 1 and (await alert_types(app))["tasking.document.study_overdue.v1"] == 3, results
    assert overdue["id"] != fresh["id"]


async def test_background_job_scans(
    service: tuple[FastAPI, httpx.AsyncClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, client = service
    await client.post(API, json=doc_body(issue_date="2026-01-05"), headers=OFFICE)
    monkeypatch.setattr(app.state.settings, "document_scan_seconds", 1.0)
    monkeypatch.setattr("luoshi_tasking.documents.jobs.FIRST_DELAY_SECONDS", 0.0)
    job = asyncio.create_task(run_document_scans(app))
    try:
        for _ in range(50):
            if await alert_types(app):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.5)  # at least one more round
    finally:
        job.cancel()
    assert await alert_types(app) == Counter({"tasking.document.study_overdue.v1": 1})
