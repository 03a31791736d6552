"""The trace id of the HTTP request that changed a task travels on in its event (CloudEvents traceparent)."""

from __future__ import annotations

import json

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from luoshi_kit.db import tables_of

from .conftest import COUNTY, PROVINCE, person, unique_title

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


async def test_request_trace_reaches_the_outbox_event(tasking: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = tasking
    headers = {**person(PROVINCE, "office"), "traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"}
    response = await client.post(
        "/api/v1/tasks",
        json={"title": unique_title(), "lead_unit": COUNTY, "deadline": "2099-01-01"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.headers["traceparent"].split("-")[1] == TRACE_ID
    outbox = tables_of(app.state.sessionmaker).outbox
    async with app.state.sessionmaker() as session:
        bodies = (await session.scalars(select(outbox.body))).all()
    event = next(json.loads(b) for b in bodies if json.loads(b)["subject"] == response.json()["id"])
    assert event["traceparent"].split("-")[1] == TRACE_ID
    assert event["traceparent"] != headers["traceparent"]  # a child span of the request, same trace
