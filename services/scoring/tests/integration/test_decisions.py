"""Self-checks, incentives, accountability (with its export) and inspection exemptions through the API."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from luoshi_kit.db import tables_of
from luoshi_kit.timebase import business_today
from luoshi_scoring.exemptions.rules import one_year_after
from luoshi_scoring.exemptions.service import announce_expired
from luoshi_scoring.periods import quarter_of

from . import events as ev
from .conftest import CITY, COUNTY, DEPT, OTHER_CITY, PROVINCE, PUBLIC, THIRD_CITY, handled, person, publish

TODAY = business_today()
QUARTER = quarter_of(TODAY)
OFFICE = person(PROVINCE, "office")


async def _outbox(app, event_type: str) -> list[str]:
    outbox = tables_of(app.state.sessionmaker).outbox
    async with app.state.sessionmaker() as session:
        return list((await session.scalars(select(outbox.body).where(outbox.event_type == event_type))).all())


def _rows(content: bytes) -> list[tuple[object, ...]]:
    sheet = load_workbook(BytesIO(content)).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


async def test_self_checks_and_who_has_not_filed(scoring) -> None:
    _app, client = scoring
    body = {"period": QUARTER, "claimed_points": "0", "summary": "本季度重点任务均按序时推进"}
    filed = await client.post("/api/v1/self-checks", json=body, headers=person(CITY, "office"))
    assert filed.status_code == 201, filed.text
    assert filed.json()["to_org"] == PROVINCE and filed.json()["kind"] == "quarterly"
    again = await client.post("/api/v1/self-checks", json=body, headers=person(CITY, "principal"))
    assert again.status_code == 409
    differs = {**body, "claimed_points": "5"}
    unexplained = await client.post("/api/v1/self-checks", json=differs, headers=person(DEPT, "office"))
    assert unexplained.status_code == 422
    explained = {**differs, "explanation": "两项表扬尚未记入台账"}
    assert (
        await client.post("/api/v1/self-checks", json=explained, headers=person(DEPT, "office"))
    ).status_code == 201
    future = {**body, "period": f"{TODAY.year + 1}Q1"}
    assert (
        await client.post("/api/v1/self-checks", json=future, headers=person(OTHER_CITY, "office"))
    ).status_code == 422
    handler = await client.post("/api/v1/self-checks", json=body, headers=person(OTHER_CITY, "handler"))
    assert handler.status_code == 403
    top = await client.post("/api/v1/self-checks", json=body, headers=person(PROVINCE, "office"))
    assert top.status_code == 422  # the province reports to no one here
    missing = await client.get("/api/v1/self-checks/missing", params={"period": QUARTER}, headers=OFFICE)
    assert {m["org_code"] for m in missing.json()["items"]} == {OTHER_CITY, THIRD_CITY, "520000000000D02"}
    city_view = await client.get(
        "/api/v1/self-checks/missing", params={"period": QUARTER}, headers=person(CITY, "office")
    )
    assert {m["org_code"] for m in city_view.json()["items"]} == {COUNTY, "520103000000"}  # its counties
    hidden = await client.get(
        "/api/v1/self-checks/missing", params={"scope_org": PROVINCE}, headers=person(CITY, "office")
    )
    assert hidden.status_code == 404
    listed = await client.get("/api/v1/self-checks", headers=OFFICE)
    assert listed.json()["total"] == 2
    assert (await client.get("/api/v1/self-checks", headers=person(OTHER_CITY, "office"))).json()[
        "total"
    ] == 0


async def test_incentives_and_accountability(scoring) -> None:
    app, client = scoring
    incentive = {
        "org_code": CITY,
        "kind": "funds",
        "title": "专项资金奖励",
        "period": QUARTER,
        "basis": "积分第一",
        "public": True,
    }
    assert (
        await client.post("/api/v1/incentives", json=incentive, headers=person(CITY, "office"))
    ).status_code == 403
    made = await client.post("/api/v1/incentives", json=incentive, headers=OFFICE)
    assert made.status_code == 201, made.text
    assert len(await _outbox(app, "scoring.incentive.granted.v1")) == 1
    decision = {
        "org_code": COUNTY,
        "finding_id": "F-9",
        "basis": "督查发现台账弄虚作假",
        "persons": [{"name": "张某", "position": "=办公室主任"}],
        "decision": "通报批评",
        "public": True,
    }
    private = {**decision, "public": False, "decision": "诫勉谈话"}
    for body in (decision, private):
        response = await client.post("/api/v1/accountability", json=body, headers=OFFICE)
        assert response.status_code == 201, response.text
    assert len(await _outbox(app, "scoring.accountability.decided.v1")) == 2
    bad = await client.post("/api/v1/accountability", json={**decision, "persons": []}, headers=OFFICE)
    assert bad.status_code == 422
    public = await client.get("/api/v1/public/accountability", headers=PUBLIC)
    assert [d["decision"] for d in public.json()["items"]] == ["通报批评"]
    assert (await client.get("/api/v1/public/incentives", headers=PUBLIC)).json()["total"] == 1
    exported = await client.get("/api/v1/accountability/export", headers=person(CITY, "office"))
    assert exported.status_code == 200
    rows = _rows(exported.content)
    assert rows[0][3] == "问责对象" and len(rows) == 3
    assert {r[4] for r in rows[1:]} == {"'=办公室主任"}  # never a formula
    sibling = await client.get("/api/v1/accountability/export", headers=person(OTHER_CITY, "office"))
    assert len(_rows(sibling.content)) == 1


async def test_exemption_grant_and_expiry(scoring) -> None:
    app, client = scoring
    start = TODAY
    too_long = {
        "org_code": CITY,
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=400)).isoformat(),
        "basis": "成效特别显著",
    }
    assert (await client.post("/api/v1/exemption-grants", json=too_long, headers=OFFICE)).status_code == 422
    body = {**too_long, "ends_on": (start + timedelta(days=30)).isoformat()}
    assert (
        await client.post("/api/v1/exemption-grants", json=body, headers=person(CITY, "office"))
    ).status_code == 403
    made = await client.post("/api/v1/exemption-grants", json=body, headers=OFFICE)
    assert made.status_code == 201 and made.json()["in_force"]
    assert (await client.post("/api/v1/exemption-grants", json=body, headers=OFFICE)).status_code == 409
    assert len(await _outbox(app, "scoring.exemption.granted.v1")) == 1
    for day in (start + timedelta(days=30), start + timedelta(days=31), start + timedelta(days=40)):
        async with app.state.sessionmaker() as session, session.begin():
            await announce_expired(session=session, today=day)
    expired = await _outbox(app, "scoring.exemption.expired.v1")
    assert len(expired) == 1 and made.json()["id"] in expired[0]
    seen = await client.get("/api/v1/exemption-grants", params={"org": CITY}, headers=person(CITY, "handler"))
    assert seen.json()["total"] == 1
    assert (
        await client.get(
            "/api/v1/exemption-grants", params={"org": CITY}, headers=person(OTHER_CITY, "office")
        )
    ).status_code == 404


async def test_a_rule_version_applies_from_its_date_only(scoring) -> None:
    app, client = scoring
    body = {
        "code": "finding_recorded",
        "points": "-4",
        "effective_from": TODAY.isoformat(),
        "scope_org": CITY,
        "reason": "加大问题扣分力度",
    }
    assert (
        await client.post("/api/v1/scoring-rules", json=body, headers=person(OTHER_CITY, "office"))
    ).status_code == 404
    assert (
        await client.post("/api/v1/scoring-rules", json={**body, "scope_org": None}, headers=OFFICE)
    ).status_code == 403
    made = await client.post("/api/v1/scoring-rules", json=body, headers=person(CITY, "office"))
    assert made.status_code == 201 and made.json()["version"] == 2
    yesterday = TODAY - timedelta(days=1)
    ids = [
        await publish(app, ev.finding("F-old", COUNTY, yesterday), COUNTY),
        await publish(app, ev.finding("F-new", COUNTY, TODAY), COUNTY),
        await publish(app, ev.finding("F-else", "520200000000", TODAY), "520200000000"),
    ]
    await handled(app, *ids)
    page = (
        await client.get(
            f"/api/v1/points/standings/{COUNTY}", params={"period": str(TODAY.year)}, headers=OFFICE
        )
    ).json()
    by_version = sorted((e["rule_version"], e["points"]) for e in page["entries"]["items"])
    assert by_version == [(1, "-1.00"), (2, "-4.00")]
    other = (
        await client.get(
            "/api/v1/points/standings/520200000000", params={"period": str(TODAY.year)}, headers=OFFICE
        )
    ).json()
    assert [e["rule_version"] for e in other["entries"]["items"]] == [1]  # outside the city's scope
    versions = (
        await client.get("/api/v1/scoring-rules", params={"code": "finding_recorded"}, headers=person(COUNTY))
    ).json()
    assert [v["version"] for v in versions] == [1, 2]


def test_exemption_dates() -> None:
    assert one_year_after(date(2027, 1, 1)) == date(2027, 12, 31)
    assert one_year_after(date(2028, 2, 29)) == date(2029, 2, 28)
