"""Notices (曝光 / 宣传典型): drafted by the office, approved by its principal, published on the portal,
immutable once published (a correction is a new notice); bad input writes nothing."""

from __future__ import annotations

from luoshi_kit.public import PUBLIC_CALLER_HEADER, sign_public_caller
from luoshi_kit.testing import TEST_SECRET
from luoshi_supervision.notices.models import Notice

from .conftest import CITY, COUNTY, PROVINCE, SIBLING_COUNTY, count_rows, outbox_types, person, problem

OFFICE = person(CITY, "office")
PRINCIPAL = person(CITY, "principal")
DEPUTY = person(CITY, "deputy")


def public() -> dict[str, str]:
    """A fresh portal token: it lives two minutes, so one signed at import expired in a long run."""
    return {PUBLIC_CALLER_HEADER: sign_public_caller("203.0.113.9", TEST_SECRET)}


def exposure(**overrides):
    body = {
        "kind": "exposure",
        "title": "关于部分单位落实不力问题的通报",
        "body": "经督查, 以下单位存在推诿扯皮、进度严重滞后等问题, 现予通报。",
        "items": [
            {
                "org_code": COUNTY,
                "unit_name": "南明区住建局",
                "responsible": "王某某 (副局长)",
                "description": "安置房项目停工三个月未报告",
            }
        ],
    }
    body.update(overrides)
    return body


async def _published(client, body=None) -> dict:
    draft = await client.post("/api/v1/notices", json=body or exposure(), headers=OFFICE)
    assert draft.status_code == 201, draft.text
    notice = draft.json()
    assert (await client.post(f"/api/v1/notices/{notice['id']}/submit", headers=OFFICE)).status_code == 200
    approved = await client.post(f"/api/v1/notices/{notice['id']}/approve", headers=PRINCIPAL)
    assert approved.status_code == 200, approved.text
    return approved.json()


async def test_draft_return_submit_approve_publish(supervision):
    app, client = supervision
    draft = (await client.post("/api/v1/notices", json=exposure(), headers=OFFICE)).json()
    path = f"/api/v1/notices/{draft['id']}"
    assert draft["state"] == "draft" and draft["issuing_org"] == CITY
    # Not public until approved.
    problem(await client.get(f"/api/v1/public/notices/{draft['id']}", headers=public()), 404)
    edited = await client.patch(path, json={"title": "关于落实不力问题的通报"}, headers=OFFICE)
    assert edited.status_code == 200 and edited.json()["title"] == "关于落实不力问题的通报"
    problem(await client.post(f"{path}/approve", headers=PRINCIPAL), 409, "notice-state")
    problem(await client.post(f"{path}/submit", headers=PRINCIPAL), 403)
    assert (await client.post(f"{path}/submit", headers=OFFICE)).json()["state"] == "submitted"
    problem(await client.patch(path, json={"title": "x"}, headers=OFFICE), 409, "notice-not-draft")
    problem(await client.post(f"{path}/approve", headers=DEPUTY), 403)
    problem(await client.post(f"{path}/approve", headers=person(PROVINCE, "principal")), 403)
    problem(await client.post(f"{path}/return", json={}, headers=PRINCIPAL), 422, "validation")
    returned = await client.post(f"{path}/return", json={"reason": "责任人表述不准确"}, headers=PRINCIPAL)
    assert (returned.json()["state"], returned.json()["return_reason"]) == ("draft", "责任人表述不准确")
    assert (await client.post(f"{path}/submit", headers=OFFICE)).status_code == 200
    published = (await client.post(f"{path}/approve", headers=PRINCIPAL)).json()
    assert published["state"] == "published" and published["published_at"]
    portal = await client.get("/api/v1/public/notices", headers=public())
    assert [n["id"] for n in portal.json()["items"]] == [draft["id"]]
    assert portal.json()["items"][0]["items"][0]["responsible"] == "王某某 (副局长)"
    assert "drafted_by" not in portal.json()["items"][0]
    problem(await client.get("/api/v1/public/notices"), 401)  # only through the gateway's forwarder
    assert await outbox_types(app) == ["supervision.notice.published.v1"]


async def test_a_published_notice_is_immutable_and_corrected_by_a_new_one(supervision):
    app, client = supervision
    old = await _published(client)
    path = f"/api/v1/notices/{old['id']}"
    problem(await client.patch(path, json={"title": "改"}, headers=OFFICE), 409, "notice-published")
    problem(await client.delete(path, headers=OFFICE), 409, "notice-published")
    problem(await client.post(f"{path}/submit", headers=OFFICE), 409, "notice-published")
    problem(
        await client.post(f"{path}/return", json={"reason": "r"}, headers=PRINCIPAL), 409, "notice-published"
    )
    put = await client.put(path, json=exposure(), headers=OFFICE)
    assert put.status_code == 405 and put.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(path, headers=OFFICE)).json() == old
    correction = await _published(client, exposure(title="更正通报", corrects=old["id"]))
    shown = (await client.get(f"/api/v1/public/notices/{old['id']}", headers=public())).json()
    assert shown["corrected_by"] == [correction["id"]] and shown["title"] == old["title"]
    assert (await client.get(f"/api/v1/public/notices/{correction['id']}", headers=public())).json()[
        "corrects"
    ] == old["id"]
    # Correcting a draft is refused; a draft can be deleted.
    draft = (await client.post("/api/v1/notices", json=exposure(), headers=OFFICE)).json()
    problem(await client.post("/api/v1/notices", json=exposure(corrects=draft["id"]), headers=OFFICE), 422)
    assert (await client.delete(f"/api/v1/notices/{draft['id']}", headers=OFFICE)).status_code == 204
    assert await count_rows(app, Notice) == {"notice": 2}


async def test_bad_input_and_wrong_callers_write_nothing(supervision):
    app, client = supervision
    cases = [
        (exposure(kind="praise"), OFFICE, 422),
        (exposure(title=""), OFFICE, 422),
        (exposure(title="t" * 201), OFFICE, 422),
        (exposure(items=[]), OFFICE, 422),
        (exposure(items=[{"org_code": COUNTY}]), OFFICE, 422),
        (exposure(items=[{"org_code": "52", "description": "d"}]), OFFICE, 422),
        (exposure(body="控制\x07字符"), OFFICE, 422),
        (exposure(extra=1), OFFICE, 422),
        (exposure(corrects="no-such-notice"), OFFICE, 404),
        (exposure(items=[{"org_code": SIBLING_COUNTY, "description": "d"}]), person(COUNTY, "office"), 404),
        (exposure(), PRINCIPAL, 403),
        (exposure(), person(CITY, "handler"), 403),
    ]
    for body, who, status in cases:
        problem(await client.post("/api/v1/notices", json=body, headers=who), status)
    problem(await client.get("/api/v1/notices", headers=person(CITY, "handler")), 403)
    problem(await client.get("/api/v1/notices/nope", headers=OFFICE), 404)
    problem(await client.get("/api/v1/public/notices/nope", headers=public()), 404)
    assert await count_rows(app, Notice) == {"notice": 0}
    assert await outbox_types(app) == []
