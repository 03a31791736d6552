"""The calendar routes: everyone reads, only an administrator loads a year; bad input writes nothing."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from luoshi_tasking.calendar.models import CalendarDay, CalendarYear
from luoshi_tasking.deadlines import jobs

from .conftest import COUNTY, PROVINCE, count_rows, person

ADMIN = person(PROVINCE, "admin")
HANDLER = person(COUNTY, "handler")
OFFICE = person(PROVINCE, "office")
NOTICE_2027 = {
    "holidays": ["2027-01-01", *[f"2027-02-{d:02d}" for d in range(5, 14)], "2027-10-01"],
    "workdays": ["2027-02-14", "2027-02-20"],
    "note": "国办发明电〔2026〕x号 (test)",
}


@pytest.fixture(autouse=True)
def no_background_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "FIRST_DELAY_SECONDS", 3600.0)


async def test_anyone_signed_in_reads_a_year(tasking: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = tasking
    known = await client.get("/api/v1/calendar/2026", headers=HANDLER)
    assert known.status_code == 200, known.text
    body = known.json()
    assert body["source"] == "chinesecalendar" and body["provisional"] is False
    assert "2026-02-14" in body["workdays"] and "2026-02-23" in body["holidays"]
    later = (await client.get("/api/v1/calendar/2027", headers=HANDLER)).json()
    assert later["source"] == "provisional" and later["provisional"] is True and later["workdays"] == []
    assert (await client.get("/api/v1/calendar/2026")).status_code == 401
    assert (await client.get("/api/v1/calendar/12", headers=HANDLER)).status_code == 422


async def test_only_an_administrator_loads_a_year(tasking: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = tasking
    for headers in (HANDLER, OFFICE):
        denied = await client.put("/api/v1/calendar/2027", json=NOTICE_2027, headers=headers)
        assert denied.status_code == 403
        assert denied.headers["content-type"].startswith("application/problem+json")
    assert await count_rows(app, CalendarYear, CalendarDay) == {"calendar_year": 0, "calendar_day": 0}

    loaded = await client.put("/api/v1/calendar/2027", json=NOTICE_2027, headers=ADMIN)
    assert loaded.status_code == 200, loaded.text
    body = loaded.json()
    assert body["source"] == "official" and body["provisional"] is False
    assert body["workdays"] == ["2027-02-14", "2027-02-20"] and body["updated_by"]
    again = (await client.get("/api/v1/calendar/2027", headers=HANDLER)).json()
    assert again["source"] == "official" and len(again["holidays"]) == 11

    # Loading again replaces the year whole.
    smaller = {"holidays": ["2027-01-01"], "workdays": []}
    assert (await client.put("/api/v1/calendar/2027", json=smaller, headers=ADMIN)).status_code == 200
    assert await count_rows(app, CalendarYear, CalendarDay) == {"calendar_year": 1, "calendar_day": 1}


@pytest.mark.parametrize(
    "body,slug",
    [
        ({"holidays": ["2028-01-01"], "workdays": []}, "calendar-date-outside-year"),
        ({"holidays": ["2027-02-14"], "workdays": ["2027-02-14"]}, "calendar-date-in-both-lists"),
        ({"holidays": ["2027-02-30"], "workdays": []}, "validation"),
        ({"holidays": "soon"}, "validation"),
    ],
)
async def test_a_bad_schedule_is_refused_whole(
    tasking: tuple[FastAPI, httpx.AsyncClient], body: dict[str, object], slug: str
) -> None:
    app, client = tasking
    good = {"holidays": ["2027-01-01", "2028-01-01"], "workdays": []}
    response = await client.put("/api/v1/calendar/2027", json={**good, **body}, headers=ADMIN)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == f"urn:luoshi:problem:{slug}"
    assert await count_rows(app, CalendarYear, CalendarDay) == {"calendar_year": 0, "calendar_day": 0}
    still = (await client.get("/api/v1/calendar/2027", headers=ADMIN)).json()
    assert still["provisional"] is True
