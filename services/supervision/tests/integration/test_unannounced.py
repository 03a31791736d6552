"""暗访: before it is conducted, the inspected unit's people find it at no door (list, id, trace, evidence,
export, routing key of every event); after it is conducted they do."""

from __future__ import annotations

from luoshi_supervision.inspections.models import Inspection, InspectionTarget

from .conftest import CITY, COUNTY, PROVINCE, SIBLING_COUNTY, TOWNSHIP, inspection_body, outbox, person, soon

OFFICE = person(CITY, "office")
INSPECTOR = person(CITY, "inspector", person_id="inspector-1")
TARGET_PEOPLE = [
    person(COUNTY, "principal"),
    person(COUNTY, "office"),
    person(COUNTY, "handler"),
]
BELOW_TARGET = [person(TOWNSHIP, "principal"), person(f"{COUNTY}D01", "office")]  # never see the county's


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()["items"]]


async def _doors(client, inspection_id: str, who) -> dict[str, bool]:
    """Which doors show the inspection to ``who``."""
    listed = inspection_id in _ids(await client.get("/api/v1/inspections", headers=who))
    by_org = await client.get("/api/v1/inspections", params={"org": COUNTY}, headers=who)
    get = await client.get(f"/api/v1/inspections/{inspection_id}", headers=who)
    trace = await client.get(f"/api/v1/inspections/{inspection_id}/trace", headers=who)
    evidence = await client.get(f"/api/v1/inspections/{inspection_id}/evidence", headers=who)
    export = await client.get("/api/v1/inspections/export", headers=who)
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert (
        get.status_code in (200, 404)
        and trace.status_code in (200, 404)
        and evidence.status_code in (200, 404)
    )
    return {
        "list": listed,
        "list_by_org": by_org.status_code == 200 and inspection_id in _ids(by_org),
        "get": get.status_code == 200,
        "trace": trace.status_code == 200,
        "evidence": evidence.status_code == 200,
        "export": inspection_id in export.text,
    }


async def test_unannounced_is_invisible_to_the_target_until_conducted(supervision) -> None:
    app, client = supervision
    body = inspection_body(kind="unannounced", title="暗访 南明区 营商环境", planned_start=soon(0))
    created = await client.post("/api/v1/inspections", json=body, headers=OFFICE)
    assert created.status_code == 201, created.text
    iid = created.json()["id"]
    assert created.json()["unannounced"] is True
    # A note before it is conducted: the evidence door must stay closed too.
    note = await client.post(
        "/api/v1/inspection-evidence", data={"inspection_id": iid, "note": "踩点记录"}, headers=INSPECTOR
    )
    assert note.status_code == 201, note.text

    closed = {door: False for door in ("list", "list_by_org", "get", "trace", "evidence", "export")}
    for who in TARGET_PEOPLE + BELOW_TARGET:
        assert await _doors(client, iid, who) == closed, who.identity
    assert (
        await client.post(
            f"/api/v1/inspections/{iid}/conduct",
            json={"conducted_on": soon(0), "summary": "x"},
            headers=person(COUNTY, "office"),
        )
    ).status_code == 404
    # The inspecting side and those above it see it; a sibling sees nothing either way.
    for who in (OFFICE, INSPECTOR, person(PROVINCE, "office")):
        assert (await _doors(client, iid, who))["get"] is True
    assert (await _doors(client, iid, person(SIBLING_COUNTY, "office")))["get"] is False

    # Every event so far went out under the office's division path, naming no target.
    events = await outbox(app, iid)
    assert [t for t, _k, _d in events] == ["supervision.inspection.scheduled.v1"]
    for _type, key, data in events:
        assert key == "supervision.inspection.scheduled.v1.52.01", key
        assert data["inspection"]["target_orgs"] == [] and data["inspection"]["task_ids"] == []

    conducted = await client.post(
        f"/api/v1/inspections/{iid}/conduct",
        json={"conducted_on": soon(0), "summary": "暗访发现窗口无人值守"},
        headers=INSPECTOR,
    )
    assert conducted.status_code == 200, conducted.text
    opened = {door: True for door in closed}
    for who in TARGET_PEOPLE:
        assert await _doors(client, iid, who) == opened, who.identity
    for who in BELOW_TARGET:
        assert (await _doors(client, iid, who))["get"] is False
    events = await outbox(app, iid)
    assert [t for t, _k, _d in events][-1] == "supervision.inspection.conducted.v1"
    _t, key, data = events[-1]
    assert key == "supervision.inspection.conducted.v1.52.01.02" and data["inspection"]["target_orgs"] == [
        COUNTY
    ]


async def test_a_cancelled_unannounced_inspection_stays_hidden(supervision) -> None:
    _app, client = supervision
    body = inspection_body(kind="unannounced", planned_start=soon(0))
    iid = (await client.post("/api/v1/inspections", json=body, headers=OFFICE)).json()["id"]
    cancelled = await client.post(
        f"/api/v1/inspections/{iid}/cancel", json={"reason": "另行安排"}, headers=OFFICE
    )
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert (
        await client.get(f"/api/v1/inspections/{iid}", headers=person(COUNTY, "principal"))
    ).status_code == 404


async def test_an_announced_inspection_is_visible_to_its_target_at_once(supervision) -> None:
    app, client = supervision
    iid = (await client.post("/api/v1/inspections", json=inspection_body(), headers=OFFICE)).json()["id"]
    assert (
        await client.get(f"/api/v1/inspections/{iid}", headers=person(COUNTY, "handler"))
    ).status_code == 200
    [(_t, key, data)] = await outbox(app, iid)
    assert key.endswith(".52.01.02") and data["inspection"]["target_orgs"] == [COUNTY]
    assert Inspection.__tablename__ and InspectionTarget.__tablename__
