"""Events in, points out: the ledger, standings, idempotency, negative list, manual items and corrections."""

from __future__ import annotations

from datetime import date, timedelta

from luoshi_kit.timebase import business_today
from luoshi_scoring.ledger.models import PointsEntry, Standing
from luoshi_scoring.negative.models import NegativeEntry
from luoshi_scoring.periods import quarter_of

from . import events as ev
from .conftest import CITY, COUNTY, OTHER_CITY, PROVINCE, count_rows, handled, person, publish, publish_raw

OFFICE = person(PROVINCE, "office")
ADMIN = person(PROVINCE, "admin")
TODAY = business_today()
QUARTER = quarter_of(TODAY)


async def standing(client, org: str, period: str = QUARTER) -> dict:
    response = await client.get(f"/api/v1/points/standings/{org}", params={"period": period}, headers=OFFICE)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_task_closed_on_time_scores_once_however_often_it_arrives(scoring) -> None:
    app, client = scoring
    ref = ev.task("T-1", CITY, TODAY + timedelta(days=5))
    first = await publish(app, ev.closed(ref, TODAY), CITY, "tasking.task.closed.v1")
    # The very same event again (a redelivery), then the same occurrence under another id (a replay).
    body_again = await _outbox_like(first, ref)
    await publish_raw(app, first, "tasking.task.closed.v1", CITY, body_again)
    other = await publish(app, ev.closed(ref, TODAY), CITY, "tasking.task.closed.v1")
    await handled(app, first, other)
    page = await standing(client, CITY)
    assert page["standing"]["points"] == "3.00"
    assert page["standing"]["entries"] == 1  # the replay under another id names the same close-out
    entry = page["entries"]["items"][0]
    assert entry["rule_code"] == "task_closed_on_time" and entry["rule_version"] == 1
    assert "任务T-1" in entry["basis"] and "第 1 版" in entry["basis"]
    year = await standing(client, CITY, str(TODAY.year))
    assert year["standing"]["points"] == page["standing"]["points"]
    check = await client.get("/api/v1/points/check", headers=ADMIN)
    assert check.status_code == 200 and check.json()["mismatches"] == []


async def _outbox_like(event_id: str, ref) -> bytes:
    from luoshi_proto.envelope import CloudEvent

    event = CloudEvent(
        id=event_id,
        source="/luoshi/test",
        type="tasking.task.closed.v1",
        orgcode=CITY,
        data=ev.closed(ref, TODAY),
    )
    return event.model_dump_json().encode()


async def test_overdue_lists_the_unit_and_deducts(scoring) -> None:
    app, client = scoring
    ref = ev.task("T-2", OTHER_CITY, TODAY - timedelta(days=1))
    ids = [await publish(app, ev.overdue(ref), OTHER_CITY, "tasking.task.overdue.v1") for _ in range(2)]
    await handled(app, *ids)
    page = await standing(client, OTHER_CITY)
    # task_overdue -2 and negative_listed -3, once: the second alert names the same occurrence.
    assert page["standing"] == {
        **page["standing"],
        "points": "-5.00",
        "entries": 2,
        "negative": 1,
        "deductions": 2,
    }
    listed = await client.get("/api/v1/negative-list", params={"org": OTHER_CITY}, headers=OFFICE)
    assert listed.json()["total"] == 1 and listed.json()["items"][0]["source"] == "task_overdue"
    own = await client.get("/api/v1/negative-list", headers=person(OTHER_CITY, "office"))
    assert own.json()["total"] == 1
    sibling = await client.get("/api/v1/negative-list", headers=person(CITY, "office"))
    assert sibling.json()["total"] == 0


async def test_closed_late_counts_working_days_overdue(scoring) -> None:
    app, client = scoring
    deadline = date(2026, 11, 20)  # a Friday
    ref = ev.task("T-3", COUNTY, deadline)
    done = await publish(app, ev.completed(ref, date(2026, 11, 24)), COUNTY, "tasking.task.completed.v1")
    await handled(app, done)
    closed = await publish(app, ev.closed(ref, date(2026, 11, 30)), COUNTY, "tasking.task.closed.v1")
    await handled(app, closed)
    page = await standing(client, COUNTY, "2026Q4")
    rules = {e["rule_code"]: e for e in page["entries"]["items"]}
    assert rules["task_closed_late"]["points"] == "1.00"
    assert rules["task_overdue_day"]["quantity"] == 2  # Mon 23rd and Tue 24th (done when completed)
    assert rules["task_overdue_day"]["points"] == "-1.00"


async def test_manual_item_and_correction(scoring) -> None:
    _app, client = scoring
    body = {"org_code": CITY, "points": "2.5", "basis": "经验做法获国务院通报表扬"}
    own = await client.post("/api/v1/points/entries", json=body, headers=person(CITY, "office"))
    assert own.status_code == 403  # a unit never scores itself
    handler = await client.post("/api/v1/points/entries", json=body, headers=person(PROVINCE, "handler"))
    assert handler.status_code == 403
    made = await client.post("/api/v1/points/entries", json=body, headers=OFFICE)
    assert made.status_code == 201, made.text
    entry = made.json()
    bad = await client.post(
        f"/api/v1/points/entries/{entry['id']}/corrections", json={"reason": ""}, headers=OFFICE
    )
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    fixed = await client.post(
        f"/api/v1/points/entries/{entry['id']}/corrections", json={"reason": "表扬对象有误"}, headers=OFFICE
    )
    assert fixed.status_code == 201, fixed.text
    correction = fixed.json()
    assert correction["points"] == "-2.50" and correction["corrects"] == entry["id"]
    assert correction["approved_by"] == OFFICE.identity.person_id
    again = await client.post(
        f"/api/v1/points/entries/{entry['id']}/corrections", json={"reason": "再次更正"}, headers=OFFICE
    )
    assert again.status_code == 409
    detail = await client.get(f"/api/v1/points/entries/{entry['id']}", headers=OFFICE)
    assert [c["id"] for c in detail.json()["corrections"]] == [correction["id"]]
    assert detail.json()["points"] == "2.50"  # the original is never edited
    assert (await standing(client, CITY))["standing"]["points"] == "0.00"
    hidden = await client.get(f"/api/v1/points/entries/{entry['id']}", headers=person(OTHER_CITY, "office"))
    assert hidden.status_code == 404


async def test_bad_input_is_a_problem_and_writes_nothing(scoring) -> None:
    app, client = scoring
    before = await count_rows(app, PointsEntry, Standing, NegativeEntry)
    cases = [
        ("/api/v1/points/entries", {"org_code": "52", "points": "1", "basis": "依据"}),
        ("/api/v1/points/entries", {"org_code": CITY, "points": "1000", "basis": "依据"}),
        ("/api/v1/points/entries", {"org_code": CITY, "points": "1", "basis": "依\x00据"}),
        ("/api/v1/points/entries", {"org_code": CITY, "points": "0", "basis": "依据依据"}),
        ("/api/v1/points/entries", {"org_code": "529900000000", "points": "1", "basis": "依据依据"}),
        ("/api/v1/negative-list", {"org_code": CITY}),
        (
            "/api/v1/scoring-rules",
            {"code": "nope", "points": "1", "effective_from": TODAY.isoformat(), "reason": "调整"},
        ),
        (
            "/api/v1/scoring-rules",
            {"code": "task_overdue", "points": "1", "effective_from": "2020-01-01", "reason": "调整"},
        ),
        ("/api/v1/rankings", {"scope_org": PROVINCE, "tier": "township", "period": QUARTER}),
        ("/api/v1/rankings", {"scope_org": PROVINCE, "tier": "city", "period": "2026Q5"}),
        ("/api/v1/rankings", {"scope_org": PROVINCE, "tier": "city", "period": f"{TODAY.year + 1}Q1"}),
    ]
    for path, body in cases:
        response = await client.post(path, json=body, headers=ADMIN)
        assert 400 <= response.status_code < 500, (path, body, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json"), (path, body)
    assert await count_rows(app, PointsEntry, Standing, NegativeEntry) == before


async def test_a_retried_manual_item_with_its_idempotency_key_is_recorded_once(scoring) -> None:
    app, client = scoring
    body = {"org_code": CITY, "points": "2.5", "basis": "经验做法获国务院通报表扬"}
    headers = {**OFFICE, "Idempotency-Key": "manual-retry-1"}
    first = await client.post("/api/v1/points/entries", json=body, headers=headers)
    again = await client.post("/api/v1/points/entries", json=body, headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert first.json()["id"] == again.json()["id"] and again.headers.get("idempotent-replayed") == "true"
    other = await client.post("/api/v1/points/entries", json={**body, "points": "3"}, headers=headers)
    assert other.status_code == 422 and other.json()["type"].endswith("idempotency-key-reused")
    assert (await count_rows(app, PointsEntry))["points_entry"] == 1
    assert (await standing(client, CITY))["standing"]["points"] == "2.50"
