"""Issue 11 part A end to end through the gateway on the real services: an unannounced inspection (暗访)
is invisible to the inspected unit at every door until it is conducted (API list and id, trace, evidence,
export, inbox), then visible; evidence files keep their SHA-256; a finding's rectification is ordered,
reported by the unit and verified (销号); bad input is a problem+json with nothing written."""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.cluster import Cluster, wait_until

pytestmark = pytest.mark.e2e
COUNTY = "520102000000"  # 南明区: the inspected unit
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


def _doors(client: httpx.Client, inspection_id: str) -> dict[str, bool]:
    listed = client.get("/api/v1/inspections")
    assert listed.status_code == 200, listed.text
    export = client.get("/api/v1/inspections/export")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    inbox = client.get("/api/v1/notifications")
    return {
        "list": inspection_id in [i["id"] for i in listed.json()["items"]],
        "get": client.get(f"/api/v1/inspections/{inspection_id}").status_code == 200,
        "trace": client.get(f"/api/v1/inspections/{inspection_id}/trace").status_code == 200,
        "evidence": client.get(f"/api/v1/inspections/{inspection_id}/evidence").status_code == 200,
        "export": inspection_id in export.text,
        "inbox": inbox.status_code == 200 and inspection_id in inbox.text,
    }


def test_unannounced_inspection_and_rectification_through_the_gateway(distributed: Cluster) -> None:
    office = distributed.client("province_office")  # the inspecting office (贵州省督查室)
    unit = distributed.client("county_handler")  # the inspected unit's person
    between = distributed.client("city_deputy")  # 贵阳市, above the target, not the inspecting side
    body = {
        "title": "暗访 南明区 政务服务",
        "kind": "unannounced",
        "subject_kind": "theme",
        "subject": "政务服务窗口作风",
        "target_orgs": [COUNTY],
        "planned_start": TODAY,
        "planned_end": TODAY,
    }
    bad = office.post("/api/v1/inspections", json=body | {"target_orgs": ["520100000000", "x"]})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    created = office.post("/api/v1/inspections", json=body)
    assert created.status_code == 201, created.text
    iid = created.json()["id"]

    pdf = b"%PDF-1.4\n% luoshi e2e evidence\n"
    upload = office.post(
        "/api/v1/inspection-evidence",
        data={"inspection_id": iid, "note": "暗访照片说明"},
        files={"file": ("evidence.pdf", pdf, "application/pdf")},
    )
    assert upload.status_code == 201, upload.text
    assert upload.json()["sha256"] == hashlib.sha256(pdf).hexdigest() and upload.json()["size"] == len(pdf)
    wrong = office.post(
        "/api/v1/inspection-evidence",
        data={"inspection_id": iid},
        files={"file": ("evidence.pdf", b"MZ not a pdf", "application/pdf")},
    )
    assert wrong.status_code == 422
    assert len(office.get(f"/api/v1/inspections/{iid}/evidence").json()) == 1

    closed = {door: False for door in ("list", "get", "trace", "evidence", "export", "inbox")}
    assert _doors(unit, iid) == closed
    assert _doors(between, iid) == closed

    conducted = office.post(
        f"/api/v1/inspections/{iid}/conduct", json={"conducted_on": TODAY, "summary": "窗口空岗"}
    )
    assert conducted.status_code == 200, conducted.text
    after = _doors(unit, iid)
    assert {k: v for k, v in after.items() if k != "inbox"} == {k: True for k in closed if k != "inbox"}
    download = unit.get(f"/api/v1/inspection-evidence/{upload.json()['id']}")
    assert download.status_code == 200 and download.content == pdf

    finding = office.post(
        "/api/v1/findings", json={"inspection_id": iid, "org_code": COUNTY, "title": "窗口工作人员空岗"}
    )
    assert finding.status_code == 201, finding.text
    order = office.post(
        f"/api/v1/findings/{finding.json()['id']}/rectification",
        json={
            "leading_leader": "leader-nm",
            "working_days": 10,
            "requirements": "建立 AB 岗制度",
            "listed": True,
        },
    )
    assert order.status_code == 201, order.text
    rid = order.json()["id"]
    listed = unit.get("/api/v1/rectifications", params={"listed": True}).json()["items"]
    assert rid in [r["id"] for r in listed]

    def on_dashboard() -> dict | None:
        board = unit.get("/api/v1/dashboard/supervision", params={"org": COUNTY})
        assert board.status_code == 200, board.text
        body = board.json()
        return body if rid in [i["rectification_id"] for i in body["listed_items"]] else None

    board = wait_until(on_dashboard, 20, "the listed item on the county's supervision dashboard")
    assert board["own"]["open_rectifications"] >= 1 and board["own"]["listed"] >= 1
    assert board["own"]["representatives_flagged"] is (TODAY > board["representatives_due_on"])
    report = unit.post(
        f"/api/v1/rectifications/{rid}/reports", json={"progress": "已建立 AB 岗", "final": True}
    )
    assert report.status_code == 201, report.text
    assert unit.post(f"/api/v1/rectifications/{rid}/verify", json={}).status_code == 403
    verified = office.post(f"/api/v1/rectifications/{rid}/verify", json={"comment": "同意销号"})
    assert verified.status_code == 200 and verified.json()["state"] == "verified"
    assert verified.json()["listed"] is False

    def lifted() -> bool:
        body = unit.get("/api/v1/dashboard/supervision", params={"org": COUNTY}).json()
        return rid not in [i["rectification_id"] for i in body["listed_items"]]

    wait_until(lifted, 20, "the verified item to leave the dashboard")
