"""免督查 from scoring's events refuses routine targets (clue-driven 暗访 and 再督查 excepted); burden control
merges or refuses overlaps and caps routine inspections; the representatives' yearly check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from luoshi_proto.scoring.v1 import ExemptionChanged, ExemptionRef
from luoshi_supervision.inspections.models import Inspection, InspectionTarget

from .conftest import (
    CITY,
    COUNTY,
    SIBLING_COUNTY,
    count_rows,
    eventually,
    inspection_body,
    person,
    publish,
    soon,
    today,
)

OFFICE = person(CITY, "office")


def _exemption(ends_in_days: int = 60) -> ExemptionChanged:
    ref = ExemptionRef(
        exemption_id="ex-1",
        org_code=COUNTY,
        starts_on=today() - timedelta(days=1),
        ends_on=today() + timedelta(days=ends_in_days),
        basis="上年度考核优秀 免督查一年",
    )
    return ExemptionChanged(exemption=ref, at=datetime.now(UTC))


async def test_exemption_refuses_routine_inspections_but_not_clues(supervision) -> None:
    app, client = supervision
    await publish(app, _exemption(), orgcode=COUNTY, event_type="scoring.exemption.granted.v1")

    async def exempt() -> bool:
        r = await client.get("/api/v1/exemptions", params={"on": today().isoformat()}, headers=OFFICE)
        return bool(r.json())

    await eventually(exempt)
    before = await count_rows(app, Inspection, InspectionTarget)
    for kind in ("special", "cross", "follow_up"):
        extra = {"inspector_units": [SIBLING_COUNTY]} if kind == "cross" else {}
        refused = await client.post(
            "/api/v1/inspections", json=inspection_body(kind=kind, **extra), headers=OFFICE
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"] == "urn:luoshi:problem:inspection-exempt"
        assert refused.headers["content-type"].startswith("application/problem+json")
    plain_unannounced = inspection_body(kind="unannounced")
    assert (
        await client.post("/api/v1/inspections", json=plain_unannounced, headers=OFFICE)
    ).status_code == 422
    assert await count_rows(app, Inspection, InspectionTarget) == before
    clue_driven = inspection_body(kind="unannounced", clue_id="clue-1")
    assert (await client.post("/api/v1/inspections", json=clue_driven, headers=OFFICE)).status_code == 201
    # An inspection planned wholly after the exemption ends is fine.
    later = inspection_body(planned_start=soon(90), planned_end=soon(95), subject="其后")
    assert (await client.post("/api/v1/inspections", json=later, headers=OFFICE)).status_code == 201

    await publish(app, _exemption(), orgcode=COUNTY, event_type="scoring.exemption.expired.v1")

    async def lifted() -> bool:
        r = await client.post("/api/v1/inspections", json=inspection_body(), headers=OFFICE)
        return r.status_code == 201

    await eventually(lifted)


async def test_overlap_is_refused_or_merged(supervision) -> None:
    app, client = supervision
    first = await client.post("/api/v1/inspections", json=inspection_body(task_ids=["t-1"]), headers=OFFICE)
    assert first.status_code == 201
    before = await count_rows(app, Inspection)
    same = inspection_body(
        title="又一次", subject="优化 营商环境", planned_start=soon(5), planned_end=soon(20)
    )
    refused = await client.post("/api/v1/inspections", json=same, headers=OFFICE)
    assert refused.status_code == 409 and refused.json()["inspections"] == [first.json()["id"]]
    merged = await client.post(
        "/api/v1/inspections",
        json=same
        | {"on_overlap": "merge", "task_ids": ["t-2"], "team": [{"person_id": "i-2", "role": "inspector"}]},
        headers=OFFICE,
    )
    assert merged.status_code == 201 and merged.json()["merged"] is True
    assert merged.json()["id"] == first.json()["id"] and merged.json()["task_ids"] == ["t-1", "t-2"]
    assert await count_rows(app, Inspection) == before
    other_subject = inspection_body(subject="安全生产")
    assert (await client.post("/api/v1/inspections", json=other_subject, headers=OFFICE)).status_code == 201


@pytest.mark.parametrize("supervision_settings", [{"routine_cap_per_year": 2}])
async def test_routine_cap_per_unit_and_year(supervision) -> None:
    app, client = supervision
    for n in range(2):
        r = await client.post("/api/v1/inspections", json=inspection_body(subject=f"事项{n}"), headers=OFFICE)
        assert r.status_code == 201
    before = await count_rows(app, Inspection)
    capped = await client.post("/api/v1/inspections", json=inspection_body(subject="事项3"), headers=OFFICE)
    assert capped.status_code == 422 and capped.json()["type"] == "urn:luoshi:problem:inspection-cap"
    assert await count_rows(app, Inspection) == before
    unannounced = inspection_body(kind="unannounced", subject="事项3")
    assert (await client.post("/api/v1/inspections", json=unannounced, headers=OFFICE)).status_code == 201
    load = await client.get("/api/v1/inspection-load", params={"org": CITY}, headers=OFFICE)
    [county] = load.json()
    assert (
        county["routine"] == 2
        and county["cap"] == 2
        and county["by_kind"] == {"special": 2, "unannounced": 1}
    )
    assert (await client.get("/api/v1/inspection-load", headers=person(COUNTY, "handler"))).status_code == 403
    assert (
        await client.get("/api/v1/inspection-load", params={"org": CITY}, headers=person(COUNTY, "office"))
    ).status_code == 404


@pytest.mark.parametrize("supervision_settings", [{"representatives_due": "01-01"}])
async def test_representatives_yearly_flag(supervision) -> None:
    _app, client = supervision
    status = await client.get("/api/v1/representatives-inspections", headers=OFFICE)
    assert status.status_code == 200
    assert status.json()["count"] == 0 and status.json()["flagged"] is (
        today().isoformat() > f"{today().year}-01-01"
    )
    no_rep = inspection_body(kind="representatives", subject="代表督查")
    assert (await client.post("/api/v1/inspections", json=no_rep, headers=OFFICE)).status_code == 422
    for n in range(2):
        body = inspection_body(
            kind="representatives",
            subject=f"代表督查{n}",
            team=[{"person_id": f"npc-{n}", "role": "representative"}],
            target_orgs=[COUNTY if n == 0 else SIBLING_COUNTY],
        )
        r = await client.post("/api/v1/inspections", json=body, headers=OFFICE)
        assert r.status_code == 201, r.text
    status = await client.get("/api/v1/representatives-inspections", headers=OFFICE)
    assert status.json()["count"] == 2 and status.json()["flagged"] is False
    third = inspection_body(
        kind="representatives", subject="代表督查3", team=[{"person_id": "npc-3", "role": "representative"}]
    )
    assert (await client.post("/api/v1/inspections", json=third, headers=OFFICE)).status_code == 422
    # The representative sees the inspection they were invited to, and nothing else.
    rep = person(CITY, "representative", person_id="npc-0")
    assert (await client.get("/api/v1/inspections", headers=rep)).json()["total"] == 1
