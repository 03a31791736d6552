"""Public clues (线索): intake without sign-in (through the gateway's vouched address), validation, size and
rate limits with nothing written, receipt lookup that reveals nothing without its secret, the office's
triage and the reporter's answer (事事有回音)."""

from __future__ import annotations

import asyncio

from luoshi_kit.public import PUBLIC_CALLER_HEADER, sign_public_caller
from luoshi_kit.testing import TEST_SECRET, running_service
from luoshi_supervision.clues.models import Clue
from luoshi_supervision.main import create_app

from .conftest import (
    CITY,
    COUNTY,
    SIBLING_COUNTY,
    TOWNSHIP,
    count_rows,
    outbox_types,
    person,
    problem,
    settings_for,
)

OFFICE = person(CITY, "office")
INSPECTOR = person(CITY, "inspector")
COUNTY_OFFICE = person(COUNTY, "office")


def public(address: str = "203.0.113.7") -> dict[str, str]:
    return {PUBLIC_CALLER_HEADER: sign_public_caller(address, TEST_SECRET)}


def clue_body(**overrides):
    body = {
        "org_code": CITY,
        "category": "落实不力",
        "content": "某街道道路改造工程停工三个月无人过问, 群众出行不便。",
        "channel": "portal",
        "reporter_name": "张三",
        "reporter_contact": "13800000000",
    }
    body.update(overrides)
    return body


async def test_intake_lookup_triage_and_the_reporters_answer(supervision):
    app, client = supervision
    submitted = await client.post("/api/v1/public/clues", json=clue_body(), headers=public())
    assert submitted.status_code == 201, submitted.text
    receipt = submitted.json()
    assert receipt["receipt_no"].startswith("XS") and receipt["status"] == "received" and receipt["secret"]
    lookup = {"receipt_no": receipt["receipt_no"], "secret": receipt["secret"]}
    status = await client.post("/api/v1/public/clues/status", json=lookup, headers=public("198.51.100.1"))
    assert status.status_code == 200, status.text
    assert status.json()["status"] == "received" and "张三" not in status.text

    # Without the right secret: the same 404 as a number that does not exist.
    wrong = await client.post(
        "/api/v1/public/clues/status", json={**lookup, "secret": "guess"}, headers=public()
    )
    unknown = await client.post(
        "/api/v1/public/clues/status", json={**lookup, "receipt_no": "XS20260101AAAAAAAA"}, headers=public()
    )
    same = ("type", "title", "status", "detail")
    assert {k: problem(wrong, 404, "not-found")[k] for k in same} == {
        k: problem(unknown, 404, "not-found")[k] for k in same
    }
    # Without the gateway's vouching header the public routes answer 401.
    problem(await client.post("/api/v1/public/clues", json=clue_body()), 401, "unauthenticated")

    # The office sees the reporter; an inspector sees the clue without personal data; others not at all.
    items = (await client.get("/api/v1/clues", headers=OFFICE)).json()["items"]
    assert [(c["reporter_name"], c["reporter_contact"]) for c in items] == [("张三", "13800000000")]
    clue_id = items[0]["id"]
    seen = (await client.get(f"/api/v1/clues/{clue_id}", headers=INSPECTOR)).json()
    assert seen["reporter_name"] is None and seen["reporter_contact"] is None and seen["content"]
    problem(await client.get(f"/api/v1/clues/{clue_id}", headers=COUNTY_OFFICE), 404)
    problem(await client.get(f"/api/v1/clues/{clue_id}", headers=person(CITY, "handler")), 403)

    # Triage: refer it down to 南明区, whose office then takes it into an inspection.
    path = f"/api/v1/clues/{clue_id}/triage"
    problem(await client.post(path, json={"outcome": "dismissed"}, headers=OFFICE), 422, "validation")
    problem(await client.post(path, json={"outcome": "finding"}, headers=OFFICE), 422, "validation")
    problem(await client.post(path, json={"outcome": "referral", "referred_to": CITY}, headers=OFFICE), 422)
    problem(
        await client.post(path, json={"outcome": "referral", "referred_to": "520200000000"}, headers=OFFICE),
        404,
    )
    problem(await client.post(path, json={"outcome": "dismissed", "reason": "r"}, headers=INSPECTOR), 403)
    referred = await client.post(path, json={"outcome": "referral", "referred_to": COUNTY}, headers=OFFICE)
    assert referred.status_code == 200, referred.text
    assert (referred.json()["state"], referred.json()["org_code"]) == ("referred", COUNTY)
    told = (await client.post("/api/v1/public/clues/status", json=lookup, headers=public())).json()
    assert (told["status"], told["outcome"]) == ("referred", "referral") and "转交" in told["reply"]
    problem(await client.post(path, json={"outcome": "dismissed", "reason": "r"}, headers=OFFICE), 403)
    taken = await client.post(
        path,
        json={"outcome": "inspection", "target_ref": "INSP-2026-017", "reply": "已纳入 12 月暗访督查"},
        headers=COUNTY_OFFICE,
    )
    assert taken.status_code == 200, taken.text
    told = (await client.post("/api/v1/public/clues/status", json=lookup, headers=public())).json()
    assert (told["status"], told["outcome"], told["reply"]) == (
        "triaged",
        "inspection",
        "已纳入 12 月暗访督查",
    )
    problem(await client.post(path, json={"outcome": "dismissed", "reason": "r"}, headers=COUNTY_OFFICE), 409)
    assert await outbox_types(app) == [
        "supervision.clue.received.v1",
        "supervision.clue.triaged.v1",
        "supervision.clue.triaged.v1",
    ]


async def test_bad_and_oversized_input_writes_nothing(supervision):
    app, client = supervision
    cases = [
        clue_body(org_code="52"),
        clue_body(content="太短"),
        clue_body(content="长" * 5001),
        clue_body(content="控制字符\x00" * 3),
        clue_body(category=""),
        clue_body(channel="fax"),
        clue_body(reporter_name="x" * 51),
        clue_body(extra="field"),
        {"org_code": CITY},
    ]
    for body in cases:
        problem(await client.post("/api/v1/public/clues", json=body, headers=public()), 422, "validation")
    big = b'{"content": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    response = await client.post(
        "/api/v1/public/clues", content=big, headers={**public(), "content-type": "application/json"}
    )
    problem(response, 413)
    problem(
        await client.post(
            "/api/v1/public/clues/status", json={"receipt_no": "x", "secret": "y"}, headers=public()
        ),
        422,
    )
    problem(
        await client.post(
            "/api/v1/clues/nope/triage", json={"outcome": "dismissed", "reason": "r"}, headers=OFFICE
        ),
        404,
    )
    assert await count_rows(app, Clue) == {"clue": 0}
    assert await outbox_types(app) == []


async def test_flooding_from_one_address_is_refused_with_nothing_written(postgres_url, vhost_amqp_url):
    settings = settings_for(postgres_url, vhost_amqp_url, clue_rate_per_hour=3)
    async with running_service(create_app, settings) as (app, client):
        flood = public("192.0.2.50")
        # Concurrent submissions from one address: exactly the limit gets through (the count is locked).
        answers = await asyncio.gather(
            *[client.post("/api/v1/public/clues", json=clue_body(), headers=flood) for _ in range(6)]
        )
        assert sorted(a.status_code for a in answers) == [201, 201, 201, 429, 429, 429]
        problem(next(a for a in answers if a.status_code == 429), 429, "too-many-clues")
        assert await count_rows(app, Clue) == {"clue": 3}
        # Another address is not affected.
        other = await client.post(
            "/api/v1/public/clues", json=clue_body(org_code=SIBLING_COUNTY), headers=public("192.0.2.51")
        )
        assert other.status_code == 201
        assert (await outbox_types(app)).count("supervision.clue.received.v1") == 4


async def test_a_township_office_sees_only_its_own(supervision):
    _app, client = supervision
    await client.post("/api/v1/public/clues", json=clue_body(org_code=TOWNSHIP), headers=public())
    await client.post("/api/v1/public/clues", json=clue_body(org_code=SIBLING_COUNTY), headers=public())
    assert (await client.get("/api/v1/clues", headers=COUNTY_OFFICE)).json()["total"] == 1
    assert (await client.get("/api/v1/clues", headers=OFFICE)).json()["total"] == 2
    problem(await client.get("/api/v1/clues", params={"org": SIBLING_COUNTY}, headers=COUNTY_OFFICE), 404)
