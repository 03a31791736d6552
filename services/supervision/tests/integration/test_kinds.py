"""The kinds: cross (peers, never their own unit), on-site with its leader, third-party assessment (the
assessor sees only its assignment and files the report with a hashed file), annual plans."""

from __future__ import annotations

import hashlib

from .conftest import CITY, COUNTY, SIBLING_COUNTY, TOWNSHIP, inspection_body, person, soon

OFFICE = person(CITY, "office")
ASSESSOR = person(CITY, "assessor", person_id="assessor-1")
OTHER_ASSESSOR = person(CITY, "assessor", person_id="assessor-2")


async def test_cross_inspection_lends_peers_never_their_own(supervision) -> None:
    _app, client = supervision
    own = inspection_body(kind="cross", inspector_units=[COUNTY], target_orgs=[COUNTY])
    refused = await client.post("/api/v1/inspections", json=own, headers=OFFICE)
    assert refused.status_code == 422 and "本单位" in refused.json()["detail"]
    below = inspection_body(kind="cross", inspector_units=[TOWNSHIP], target_orgs=[COUNTY])
    assert (await client.post("/api/v1/inspections", json=below, headers=OFFICE)).status_code == 422
    peer = inspection_body(kind="cross", inspector_units=[SIBLING_COUNTY], target_orgs=[COUNTY])
    created = await client.post("/api/v1/inspections", json=peer, headers=OFFICE)
    assert created.status_code == 201 and created.json()["inspector_units"] == [SIBLING_COUNTY]


async def test_onsite_needs_its_leader(supervision) -> None:
    _app, client = supervision
    assert (
        await client.post("/api/v1/inspections", json=inspection_body(kind="onsite"), headers=OFFICE)
    ).status_code == 422
    led = inspection_body(
        kind="onsite", leader_id="mayor-1", team=[{"person_id": "mayor-1", "role": "leader"}]
    )
    created = await client.post("/api/v1/inspections", json=led, headers=OFFICE)
    assert created.status_code == 201 and created.json()["leader_id"] == "mayor-1"


async def test_third_party_assessor_sees_its_assignment_and_files_the_report(supervision) -> None:
    _app, client = supervision
    body = inspection_body(
        kind="third_party", planned_start=soon(0), team=[{"person_id": "assessor-1", "role": "assessor"}]
    )
    iid = (await client.post("/api/v1/inspections", json=body, headers=OFFICE)).json()["id"]
    other = (
        await client.post("/api/v1/inspections", json=inspection_body(subject="另一事项"), headers=OFFICE)
    ).json()
    listed = (await client.get("/api/v1/inspections", headers=ASSESSOR)).json()
    assert [i["id"] for i in listed["items"]] == [iid]
    assert (await client.get(f"/api/v1/inspections/{other['id']}", headers=ASSESSOR)).status_code == 404
    assert (await client.get(f"/api/v1/inspections/{iid}", headers=OTHER_ASSESSOR)).status_code == 404
    assert (await client.get("/api/v1/rectifications", headers=ASSESSOR)).json()["total"] == 0

    conducted = await client.post(
        f"/api/v1/inspections/{iid}/conduct",
        json={"conducted_on": soon(0), "summary": "问卷与走访"},
        headers=ASSESSOR,
    )
    assert conducted.status_code == 200, conducted.text
    pdf = "%PDF-1.7\n第三方评估报告\n".encode()
    upload = await client.post(
        "/api/v1/inspection-evidence",
        data={"inspection_id": iid, "note": "评估报告", "is_report": "true"},
        files={"file": ("report.pdf", pdf, "application/pdf")},
        headers=ASSESSOR,
    )
    assert upload.status_code == 201, upload.text
    assert upload.json()["sha256"] == hashlib.sha256(pdf).hexdigest() and upload.json()["is_report"] is True
    download = await client.get(f"/api/v1/inspection-evidence/{upload.json()['id']}", headers=OFFICE)
    assert download.content == pdf and download.headers["x-content-sha256"] == hashlib.sha256(pdf).hexdigest()
    assert (
        await client.get(f"/api/v1/inspection-evidence/{upload.json()['id']}", headers=OTHER_ASSESSOR)
    ).status_code == 404
    reported = await client.post(
        f"/api/v1/inspections/{iid}/report", json={"report": "评估结论: 良好"}, headers=ASSESSOR
    )
    assert reported.status_code == 200 and reported.json()["state"] == "reported"
    # The assessor records no findings: that is the inspecting office's (or its inspectors') part.
    finding = await client.post(
        "/api/v1/findings", json={"inspection_id": iid, "org_code": COUNTY, "title": "x"}, headers=ASSESSOR
    )
    assert finding.status_code == 403


async def test_annual_plan_lists_its_inspections(supervision) -> None:
    _app, client = supervision
    year = int(soon(0)[:4])
    plan = await client.post(
        "/api/v1/inspection-plans",
        json={
            "year": year,
            "title": f"{year}年度督查计划",
            "period_start": f"{year}-01-01",
            "period_end": f"{year}-12-31",
        },
        headers=OFFICE,
    )
    assert plan.status_code == 201, plan.text
    pid = plan.json()["id"]
    iid = (
        await client.post("/api/v1/inspections", json=inspection_body(plan_id=pid), headers=OFFICE)
    ).json()["id"]
    shown = await client.get(f"/api/v1/inspection-plans/{pid}", headers=OFFICE)
    assert [i["id"] for i in shown.json()["inspections"]] == [iid]
    assert (
        await client.get(f"/api/v1/inspection-plans/{pid}", headers=person(COUNTY, "office"))
    ).status_code == 404
    county_plan = await client.post(
        "/api/v1/inspections",
        json=inspection_body(plan_id=pid, target_orgs=[TOWNSHIP], subject="乡镇"),
        headers=person(COUNTY, "office"),
    )
    assert county_plan.status_code == 404  # another government's plan


async def test_a_retried_create_with_an_idempotency_key_schedules_once(supervision) -> None:
    app, client = supervision
    from luoshi_supervision.inspections.models import Inspection

    from .conftest import count_rows

    headers = {**OFFICE, "Idempotency-Key": "retry-1"}
    first = await client.post("/api/v1/inspections", json=inspection_body(), headers=headers)
    again = await client.post("/api/v1/inspections", json=inspection_body(), headers=headers)
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert again.headers.get("idempotent-replayed") == "true"
    assert (await count_rows(app, Inspection))["inspection"] == 1
