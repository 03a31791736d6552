"""Bad input to every write answers 4xx problem+json and writes nothing (no row, no event, no trace)."""

from __future__ import annotations

from typing import Any

from luoshi_kit.db import tables_of
from luoshi_supervision.burden.models import UnitFrequency
from luoshi_supervision.inspections.models import (
    Evidence,
    Inspection,
    InspectionMember,
    InspectionPlan,
    InspectionTarget,
    InspectionTrace,
)
from luoshi_supervision.rectifications.models import (
    Finding,
    Rectification,
    RectificationReport,
    RectificationTrace,
)

from .conftest import CITY, COUNTY, OTHER_CITY, count_rows, inspection_body, person, soon

OFFICE = person(CITY, "office")
INSPECTOR = person(CITY, "inspector", person_id="inspector-1")
UNIT = person(COUNTY, "principal")
HANDLER = person(CITY, "handler")
MODELS = (
    Inspection,
    InspectionTarget,
    InspectionMember,
    InspectionTrace,
    Evidence,
    InspectionPlan,
    Finding,
    Rectification,
    RectificationReport,
    RectificationTrace,
    UnitFrequency,
)


async def _snapshot(app) -> dict[str, int]:
    return await count_rows(app, *MODELS, tables_of(app.state.sessionmaker).outbox)


async def test_every_write_refuses_bad_input_and_writes_nothing(supervision) -> None:
    app, client = supervision
    iid = (
        await client.post("/api/v1/inspections", json=inspection_body(planned_start=soon(0)), headers=OFFICE)
    ).json()["id"]
    await client.post(
        f"/api/v1/inspections/{iid}/conduct",
        json={"conducted_on": soon(0), "summary": "s"},
        headers=INSPECTOR,
    )
    fid = (
        await client.post(
            "/api/v1/findings",
            json={"inspection_id": iid, "org_code": COUNTY, "title": "问题"},
            headers=INSPECTOR,
        )
    ).json()["id"]
    order = {"leading_leader": "l-1", "working_days": 5, "requirements": "整改"}
    rid = (await client.post(f"/api/v1/findings/{fid}/rectification", json=order, headers=OFFICE)).json()[
        "id"
    ]
    second = (
        await client.post("/api/v1/inspections", json=inspection_body(subject="其他"), headers=OFFICE)
    ).json()["id"]

    cases: list[tuple[str, str, Any, Any, int]] = [
        # (method, path, json body, headers, expected status)
        ("POST", "/api/v1/inspections", inspection_body(title=""), OFFICE, 422),
        ("POST", "/api/v1/inspections", inspection_body(title="a\x00b"), OFFICE, 422),
        ("POST", "/api/v1/inspections", inspection_body(kind="nonsense"), OFFICE, 422),
        ("POST", "/api/v1/inspections", inspection_body(target_orgs=["52"]), OFFICE, 422),
        ("POST", "/api/v1/inspections", inspection_body(target_orgs=[COUNTY, COUNTY]), OFFICE, 422),
        ("POST", "/api/v1/inspections", inspection_body(target_orgs=[OTHER_CITY]), OFFICE, 404),
        ("POST", "/api/v1/inspections", inspection_body(target_orgs=[CITY]), OFFICE, 422),
        ("POST", "/api/v1/inspections", inspection_body(target_orgs=[], task_ids=[]), OFFICE, 422),
        (
            "POST",
            "/api/v1/inspections",
            inspection_body(planned_start=soon(5), planned_end=soon(1)),
            OFFICE,
            422,
        ),
        (
            "POST",
            "/api/v1/inspections",
            inspection_body(planned_start=soon(-9), planned_end=soon(-2)),
            OFFICE,
            422,
        ),
        ("POST", "/api/v1/inspections", inspection_body(kind="cross"), OFFICE, 422),
        ("POST", "/api/v1/inspections", inspection_body(kind="cross", inspector_units=[COUNTY]), OFFICE, 422),
        ("POST", "/api/v1/inspections", inspection_body(kind="onsite"), OFFICE, 422),
        ("POST", "/api/v1/inspections", inspection_body(kind="third_party"), OFFICE, 422),
        ("POST", "/api/v1/inspections", inspection_body(kind="re_inspection"), OFFICE, 422),
        ("POST", "/api/v1/inspections", inspection_body(extra="x"), OFFICE, 422),
        ("POST", "/api/v1/inspections", inspection_body(plan_id="nope"), OFFICE, 404),
        ("POST", "/api/v1/inspections", inspection_body(), HANDLER, 403),
        (
            "POST",
            f"/api/v1/inspections/{second}/conduct",
            {"conducted_on": soon(3), "summary": "s"},
            INSPECTOR,
            422,
        ),
        (
            "POST",
            f"/api/v1/inspections/{second}/conduct",
            {"conducted_on": soon(0), "summary": ""},
            INSPECTOR,
            422,
        ),
        (
            "POST",
            f"/api/v1/inspections/{second}/conduct",
            {"conducted_on": soon(0), "summary": "s"},
            UNIT,
            403,
        ),
        ("POST", f"/api/v1/inspections/{second}/report", {"report": "r"}, INSPECTOR, 409),
        ("POST", f"/api/v1/inspections/{iid}/report", {"report": ""}, INSPECTOR, 422),
        ("POST", f"/api/v1/inspections/{iid}/cancel", {"reason": "r"}, OFFICE, 409),
        ("POST", f"/api/v1/inspections/{second}/cancel", {"reason": ""}, OFFICE, 422),
        ("POST", "/api/v1/inspections/nope/cancel", {"reason": "r"}, OFFICE, 404),
        (
            "POST",
            "/api/v1/inspection-plans",
            {"year": 2027, "title": "计划", "period_start": "2027-12-01", "period_end": "2027-01-01"},
            OFFICE,
            422,
        ),
        (
            "POST",
            "/api/v1/inspection-plans",
            {"year": 1900, "title": "计划", "period_start": "2027-01-01", "period_end": "2027-12-31"},
            OFFICE,
            422,
        ),
        (
            "POST",
            "/api/v1/inspection-plans",
            {"year": 2027, "title": "计划", "period_start": "2027-01-01", "period_end": "2027-12-31"},
            HANDLER,
            403,
        ),
        ("POST", "/api/v1/findings", {"inspection_id": iid, "org_code": "x", "title": "t"}, INSPECTOR, 422),
        ("POST", "/api/v1/findings", {"inspection_id": iid, "org_code": COUNTY, "title": ""}, INSPECTOR, 422),
        (
            "POST",
            "/api/v1/findings",
            {"inspection_id": "nope", "org_code": COUNTY, "title": "t"},
            INSPECTOR,
            404,
        ),
        ("POST", f"/api/v1/findings/{fid}/rectification", order | {"working_days": 0}, OFFICE, 422),
        ("POST", f"/api/v1/findings/{fid}/rectification", order | {"requirements": ""}, OFFICE, 422),
        ("POST", f"/api/v1/findings/{fid}/rectification", order, OFFICE, 409),
        ("POST", f"/api/v1/findings/{fid}/rectification", order, UNIT, 403),
        ("POST", f"/api/v1/rectifications/{rid}/reports", {"progress": ""}, UNIT, 422),
        ("POST", f"/api/v1/rectifications/{rid}/reports", {"progress": "p", "final": "maybe"}, UNIT, 422),
        ("POST", f"/api/v1/rectifications/{rid}/verify", {"comment": "c"}, OFFICE, 409),
        ("POST", f"/api/v1/rectifications/{rid}/reject", {"reason": "r"}, OFFICE, 409),
        (
            "POST",
            f"/api/v1/rectifications/{rid}/reject",
            {"reason": "r", "new_working_days": -1},
            OFFICE,
            422,
        ),
        ("POST", f"/api/v1/rectifications/{rid}/listing", {"action": "lift", "reason": "r"}, OFFICE, 409),
        ("POST", f"/api/v1/rectifications/{rid}/listing", {"action": "hang", "reason": "r"}, OFFICE, 422),
        ("POST", f"/api/v1/rectifications/{rid}/listing", {"action": "place", "reason": "r"}, UNIT, 403),
        ("POST", "/api/v1/rectification-scans", None, OFFICE, 403),
    ]
    before = await _snapshot(app)
    for method, path, body, headers, status in cases:
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == status, (path, body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json"), path
        assert response.json()["detail"], path
    # Evidence: no note and no file, a wrong type, content that is not what it claims, an empty file.
    uploads: list[tuple[dict[str, str], Any, int]] = [
        ({"inspection_id": second}, None, 422),
        ({"inspection_id": second}, {"file": ("a.exe", b"MZ\x90\x00", "application/x-msdownload")}, 422),
        ({"inspection_id": second}, {"file": ("a.pdf", b"not a pdf", "application/pdf")}, 422),
        ({"inspection_id": second}, {"file": ("a.png", b"%PDF-1.4", "image/png")}, 422),
        ({"inspection_id": second}, {"file": ("a.txt", b"", "text/plain")}, 422),
        ({"inspection_id": second, "is_report": "true", "note": "n"}, None, 422),
        ({"inspection_id": "nope", "note": "n"}, None, 404),
        ({"inspection_id": second, "note": "n"}, None, 403),  # the unit cannot add evidence
    ]
    for index, (form, files, status) in enumerate(uploads):
        who = UNIT if index == len(uploads) - 1 else INSPECTOR
        response = await client.post("/api/v1/inspection-evidence", data=form, files=files, headers=who)
        assert response.status_code == status, (form, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert await _snapshot(app) == before
