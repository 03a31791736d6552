"""Urges and supervision orders by hand: issue, read, answer; who may; bad input writes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from luoshi_supervision.urges.models import Urge, UrgeStep

from .conftest import (
    CITY,
    COUNTY,
    PROVINCE,
    SIBLING_COUNTY,
    TOWNSHIP,
    count_rows,
    outbox_types,
    person,
    problem,
)

OFFICE = person(CITY, "office")
COUNTY_PRINCIPAL = person(COUNTY, "principal")
COUNTY_HANDLER = person(COUNTY, "handler")
SIBLING = person(SIBLING_COUNTY, "principal")
DUE = (date.today() + timedelta(days=3)).isoformat()


def order_body(**overrides):
    body = {"kind": "order", "org_code": COUNTY, "message": "请说明项目延误原因", "answer_due": DUE}
    body.update(overrides)
    return body


async def test_issue_read_answer(supervision):
    app, client = supervision
    response = await client.post("/api/v1/urges", json=order_body(task_id="T-1"), headers=OFFICE)
    assert response.status_code == 201, response.text
    order = response.json()
    assert (order["recipient_role"], order["level"], order["state"]) == ("principal", 2, "open")
    assert order["answer_due"] == DUE and order["automatic"] is False and order["issuing_org"] == CITY
    assert [s["action"] for s in order["steps"]] == ["issued"]
    path = f"/api/v1/urges/{order['id']}"
    # Who sees it: the unit and its superiors; a sibling gets 404, as for a guess.
    assert (await client.get(path, headers=COUNTY_HANDLER)).status_code == 200
    problem(await client.get(path, headers=SIBLING), 404, "not-found")
    problem(await client.get("/api/v1/urges/nope", headers=OFFICE), 404, "not-found")
    listed = (await client.get("/api/v1/urges", params={"task_id": "T-1"}, headers=COUNTY_PRINCIPAL)).json()
    assert [u["id"] for u in listed["items"]] == [order["id"]]
    assert (await client.get("/api/v1/urges", headers=SIBLING)).json()["total"] == 0
    problem(await client.get("/api/v1/urges", params={"org": SIBLING_COUNTY}, headers=COUNTY_PRINCIPAL), 404)

    answer = {"reason": "征地手续未完成", "plan": "12 月底前完成征地, 次月开工"}
    # The issuing office cannot answer for the unit (403); a township below neither (404 outside).
    problem(await client.post(f"{path}/answer", json=answer, headers=OFFICE), 403, "forbidden")
    problem(await client.post(f"{path}/answer", json=answer, headers=person(TOWNSHIP, "principal")), 404)
    problem(
        await client.post(f"{path}/answer", json={"reason": "", "plan": "x"}, headers=COUNTY_PRINCIPAL), 422
    )
    answered = await client.post(f"{path}/answer", json=answer, headers=COUNTY_PRINCIPAL)
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert (body["state"], body["answer_reason"], body["answer_plan"]) == (
        "answered",
        answer["reason"],
        answer["plan"],
    )
    assert [s["action"] for s in body["steps"]] == ["issued", "answered"]
    problem(await client.post(f"{path}/answer", json=answer, headers=COUNTY_PRINCIPAL), 409, "urge-not-open")
    assert await outbox_types(app) == ["supervision.urge.issued.v1", "supervision.urge.answered.v1"]


async def test_an_urge_goes_to_the_handler_and_can_name_its_first_recipient(supervision):
    _app, client = supervision
    urge = await client.post("/api/v1/urges", json=order_body(kind="urge"), headers=OFFICE)
    assert (urge.json()["recipient_role"], urge.json()["level"]) == ("handler", 0)
    deputy = await client.post(
        "/api/v1/urges", json=order_body(kind="urge", recipient_role="deputy"), headers=OFFICE
    )
    assert (deputy.json()["recipient_role"], deputy.json()["level"]) == ("deputy", 1)


async def test_bad_input_and_wrong_callers_write_nothing(supervision):
    app, client = supervision
    past = (date.today() - timedelta(days=2)).isoformat()
    cases = [
        (order_body(kind="nag"), OFFICE, 422, "validation"),
        (order_body(org_code="52"), OFFICE, 422, "validation"),
        (order_body(message=""), OFFICE, 422, "validation"),
        (order_body(message="x" * 2001), OFFICE, 422, "validation"),
        (order_body(message="bad\x00text"), OFFICE, 422, "validation"),
        (order_body(answer_due="2026-13-01"), OFFICE, 422, "validation"),
        (order_body(extra="field"), OFFICE, 422, "validation"),
        (order_body(recipient_role="mayor"), OFFICE, 422, "validation"),
        (order_body(answer_due=past), OFFICE, 422, "answer-due-in-past"),
        (order_body(org_code=CITY), OFFICE, 422, "urge-own-unit"),
        (order_body(org_code=PROVINCE), OFFICE, 404, "not-found"),
        (order_body(org_code=SIBLING_COUNTY), person(COUNTY, "office"), 404, "not-found"),
        (order_body(), COUNTY_HANDLER, 403, "forbidden"),
    ]
    for body, who, status, slug in cases:
        problem(await client.post("/api/v1/urges", json=body, headers=who), status, slug)
    problem(
        await client.post(
            "/api/v1/urges", content=b"{not json", headers={**OFFICE, "content-type": "application/json"}
        ),
        422,
    )
    problem(await client.post("/api/v1/urges", json=order_body()), 401, "unauthenticated")
    assert await count_rows(app, Urge, UrgeStep) == {"urge": 0, "urge_step": 0}
    assert await outbox_types(app) == []


async def test_the_scan_on_demand_is_for_a_provincial_administrator(supervision):
    _app, client = supervision
    problem(await client.post("/api/v1/urge-scans", headers=OFFICE), 403, "forbidden")
    ran = await client.post("/api/v1/urge-scans", headers=person(PROVINCE, "admin"))
    assert ran.status_code == 200 and ran.json()["escalated"] == 0
