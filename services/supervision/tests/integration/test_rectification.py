"""Findings → rectification: notice, listed supervision, progress, verification (销号); rejection and the
overdue scan → re-inspection (再督查), raised frequency and a reporting cadence."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from luoshi_supervision.inspections.models import Inspection
from luoshi_supervision.rectifications.models import Rectification
from luoshi_supervision.rectifications.scan import scan

from .conftest import CITY, COUNTY, SIBLING_COUNTY, inspection_body, outbox, person, soon, today

OFFICE = person(CITY, "office")
INSPECTOR = person(CITY, "inspector", person_id="inspector-1")
UNIT = person(COUNTY, "principal")


async def _conducted(client, subject: str = "优化营商环境") -> str:
    body = inspection_body(planned_start=soon(0), subject=subject)
    iid = (await client.post("/api/v1/inspections", json=body, headers=OFFICE)).json()["id"]
    r = await client.post(
        f"/api/v1/inspections/{iid}/conduct",
        json={"conducted_on": soon(0), "summary": "实地查看"},
        headers=INSPECTOR,
    )
    assert r.status_code == 200, r.text
    return str(iid)


async def _ordered(client, *, listed: bool = False) -> tuple[str, dict]:
    iid = await _conducted(client)
    finding = await client.post(
        "/api/v1/findings",
        json={
            "inspection_id": iid,
            "org_code": COUNTY,
            "title": "审批超时",
            "description": "窗口审批超过承诺时限",
        },
        headers=INSPECTOR,
    )
    assert finding.status_code == 201, finding.text
    order = await client.post(
        f"/api/v1/findings/{finding.json()['id']}/rectification",
        json={
            "leading_leader": "leader-1",
            "working_days": 10,
            "requirements": "限期整改",
            "listed": listed,
            "listed_reason": "群众反映强烈" if listed else None,
        },
        headers=OFFICE,
    )
    assert order.status_code == 201, order.text
    return iid, order.json()


async def test_verify_lifts_the_listing(supervision) -> None:
    app, client = supervision
    _iid, item = await _ordered(client, listed=True)
    rid = item["id"]
    assert item["state"] == "rectifying" and item["listed"] and item["deadline"] > today().isoformat()
    listed = await client.get("/api/v1/rectifications", params={"listed": True}, headers=UNIT)
    assert [r["id"] for r in listed.json()["items"]] == [rid]
    assert (
        await client.get(f"/api/v1/rectifications/{rid}", headers=person(SIBLING_COUNTY, "office"))
    ).status_code == 404
    # Only the unit reports; only the office verifies, and only a submitted item.
    assert (
        await client.post(f"/api/v1/rectifications/{rid}/reports", json={"progress": "x"}, headers=OFFICE)
    ).status_code == 403
    assert (
        await client.post(f"/api/v1/rectifications/{rid}/verify", json={}, headers=OFFICE)
    ).status_code == 409
    progress = await client.post(
        f"/api/v1/rectifications/{rid}/reports",
        json={"progress": "已增派人员", "evidence": "排班表"},
        headers=UNIT,
    )
    assert progress.status_code == 201, progress.text
    final = await client.post(
        f"/api/v1/rectifications/{rid}/reports", json={"progress": "整改完成", "final": True}, headers=UNIT
    )
    assert final.status_code == 201
    assert (
        await client.post(f"/api/v1/rectifications/{rid}/verify", json={}, headers=UNIT)
    ).status_code == 403
    verified = await client.post(
        f"/api/v1/rectifications/{rid}/verify", json={"comment": "同意销号"}, headers=OFFICE
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["state"] == "verified" and verified.json()["listed"] is False
    types = [t for t, _k, _d in await outbox(app, rid)]
    assert types == [
        "supervision.rectification.ordered.v1",
        "supervision.listing.placed.v1",
        "supervision.rectification.reported.v1",
        "supervision.rectification.reported.v1",
        "supervision.listing.lifted.v1",
        "supervision.rectification.verified.v1",
    ]
    for _t, key, _d in await outbox(app, rid):
        assert key.endswith(".52.01.02")


async def test_reject_schedules_a_reinspection_and_raises_frequency(supervision) -> None:
    app, client = supervision
    _iid, item = await _ordered(client)
    rid = item["id"]
    await client.post(
        f"/api/v1/rectifications/{rid}/reports", json={"progress": "完成", "final": True}, headers=UNIT
    )
    assert (
        await client.post(f"/api/v1/rectifications/{rid}/reject", json={"reason": ""}, headers=OFFICE)
    ).status_code == 422
    rejected = await client.post(
        f"/api/v1/rectifications/{rid}/reject", json={"reason": "整改不到位, 仍有超时"}, headers=OFFICE
    )
    assert rejected.status_code == 200, rejected.text
    body = rejected.json()
    assert body["state"] == "rectifying" and body["rejections"] == 1 and len(body["reinspection_ids"]) == 1
    assert body["report_cadence_working_days"] == 10 and body["next_report_due"] > today().isoformat()
    assert body["report_overdue"] is False
    again = await client.get(f"/api/v1/inspections/{body['reinspection_ids'][0]}", headers=UNIT)
    assert again.status_code == 200 and again.json()["kind"] == "re_inspection"
    assert again.json()["target_orgs"] == [COUNTY] and again.json()["rectification_id"] == rid
    assert [m["person_id"] for m in again.json()["team"]] == ["inspector-1"]
    load = await client.get("/api/v1/inspection-load", params={"org": CITY}, headers=OFFICE)
    [county] = [u for u in load.json() if u["org_code"] == COUNTY]
    assert county["routine_interval_days"] == 90 and county["cap"] == 8
    assert county["frequency_raised_until"] == (today() + timedelta(days=365)).isoformat()
    assert county["by_kind"] == {"special": 1, "re_inspection": 1}
    assert "supervision.rectification.rejected.v1" in [t for t, _k, _d in await outbox(app, rid)]


async def test_overdue_scan_raises_once_and_reinspects(supervision) -> None:
    app, client = supervision
    _iid, item = await _ordered(client)
    rid = item["id"]
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(
            update(Rectification).where(Rectification.id == rid).values(deadline=today() - timedelta(days=3))
        )
    settings = app.state.settings
    assert await scan(app.state.sessionmaker, today=today(), settings=settings) == 1
    assert (
        await scan(app.state.sessionmaker, today=today(), settings=settings) == 0
    )  # a second round: nothing
    events = [t for t, _k, _d in await outbox(app, rid)]
    assert events.count("supervision.rectification.overdue.v1") == 1
    shown = (await client.get(f"/api/v1/rectifications/{rid}", headers=UNIT)).json()
    assert shown["overdue"] is True and len(shown["reinspection_ids"]) == 1
    overdue = await client.get("/api/v1/rectifications", params={"overdue": True}, headers=OFFICE)
    assert [r["id"] for r in overdue.json()["items"]] == [rid]
    async with app.state.sessionmaker() as session:
        planned = (
            await session.scalars(Inspection.__table__.select().where(Inspection.rectification_id == rid))
        ).all()
    assert len(planned) == 1


async def test_findings_need_a_conducted_inspection_and_a_target(supervision) -> None:
    _app, client = supervision
    iid = (await client.post("/api/v1/inspections", json=inspection_body(), headers=OFFICE)).json()["id"]
    early = await client.post(
        "/api/v1/findings", json={"inspection_id": iid, "org_code": COUNTY, "title": "x"}, headers=INSPECTOR
    )
    assert early.status_code == 409
    iid = await _conducted(client, subject="另一事项")
    elsewhere = await client.post(
        "/api/v1/findings",
        json={"inspection_id": iid, "org_code": SIBLING_COUNTY, "title": "x"},
        headers=INSPECTOR,
    )
    assert elsewhere.status_code == 422
    by_unit = await client.post(
        "/api/v1/findings", json={"inspection_id": iid, "org_code": COUNTY, "title": "x"}, headers=UNIT
    )
    assert by_unit.status_code == 403
