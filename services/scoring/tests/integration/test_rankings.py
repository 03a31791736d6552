"""Rankings: a draft until the principal approves, then published and frozen; the public sees only that."""

from __future__ import annotations

from datetime import timedelta

from luoshi_kit.timebase import business_today
from luoshi_scoring.periods import quarter_of

from . import events as ev
from .conftest import CITY, DEPT, OTHER_CITY, PROVINCE, PUBLIC, THIRD_CITY, handled, person, publish

TODAY = business_today()
QUARTER = quarter_of(TODAY)
OFFICE = person(PROVINCE, "office")
PRINCIPAL = person(PROVINCE, "principal")


async def test_draft_approval_publication_and_freeze(scoring) -> None:
    app, client = scoring
    for task_id, unit in (("R-1", OTHER_CITY), ("R-2", OTHER_CITY), ("R-3", CITY)):
        ref = ev.task(task_id, unit, TODAY + timedelta(days=3))
        await handled(app, await publish(app, ev.closed(ref, TODAY), unit, "tasking.task.closed.v1"))
    body = {"scope_org": PROVINCE, "tier": "city", "period": QUARTER}
    assert (
        await client.post("/api/v1/rankings", json=body, headers=person(PROVINCE, "handler"))
    ).status_code == 403
    assert (
        await client.post("/api/v1/rankings", json=body, headers=person(CITY, "office"))
    ).status_code == 404
    made = await client.post("/api/v1/rankings", json=body, headers=OFFICE)
    assert made.status_code == 201, made.text
    ranking = made.json()
    assert ranking["state"] == "draft" and not ranking["frozen"]
    assert [(x["org_code"], x["rank"], x["points"]) for x in ranking["lines"]] == [
        (OTHER_CITY, 1, "6.00"),
        (CITY, 2, "3.00"),
        (THIRD_CITY, 3, "0.00"),  # a unit without entries is ranked too
    ]
    rid = ranking["id"]
    assert (await client.post("/api/v1/rankings", json=body, headers=OFFICE)).status_code == 409
    # Drafts stay inside the government; nothing is public yet.
    assert (await client.get(f"/api/v1/rankings/{rid}", headers=person(CITY, "principal"))).status_code == 404
    assert (await client.get("/api/v1/public/rankings", headers=PUBLIC)).json()["total"] == 0
    assert (await client.get(f"/api/v1/public/rankings/{rid}", headers=PUBLIC)).status_code == 404
    # Publication needs the principal's approval first; only the principal of this government approves.
    early = await client.post(f"/api/v1/rankings/{rid}/publish", headers=OFFICE)
    assert early.status_code == 409 and early.headers["content-type"].startswith("application/problem+json")
    assert (await client.post(f"/api/v1/rankings/{rid}/approve", headers=OFFICE)).status_code == 403
    city_principal = await client.post(f"/api/v1/rankings/{rid}/approve", headers=person(CITY, "principal"))
    assert city_principal.status_code == 404
    approved = await client.post(f"/api/v1/rankings/{rid}/approve", headers=PRINCIPAL)
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    published = await client.post(f"/api/v1/rankings/{rid}/publish", headers=OFFICE)
    assert published.status_code == 200, published.text
    frozen = published.json()["lines"]
    # A later entry changes the standing, never the published ranking.
    ref = ev.task("R-4", CITY, TODAY + timedelta(days=3))
    await handled(app, await publish(app, ev.closed(ref, TODAY), CITY, "tasking.task.closed.v1"))
    await handled(
        app, await publish(app, ev.closed(ev.task("R-5", CITY, TODAY), TODAY), CITY, "tasking.task.closed.v1")
    )
    after = await client.get(f"/api/v1/rankings/{rid}", headers=OFFICE)
    assert after.json()["lines"] == frozen
    public = (await client.get("/api/v1/public/rankings", headers=PUBLIC)).json()
    assert public["total"] == 1 and public["items"][0]["lines"] == frozen
    assert public["items"][0]["state"] == "published"
    assert (await client.get("/api/v1/public/rankings")).status_code == 401  # only through the gateway
    standing = await client.get(
        f"/api/v1/points/standings/{CITY}", params={"period": QUARTER}, headers=OFFICE
    )
    assert standing.json()["standing"]["points"] == "9.00"
    # A correction of a frozen period counts in the current quarter and shows as a notice.
    entry_id = standing.json()["entries"]["items"][-1]["id"]
    fix = await client.post(
        f"/api/v1/points/entries/{entry_id}/corrections", json={"reason": "重复销号"}, headers=OFFICE
    )
    assert fix.status_code == 201
    notice = (await client.get(f"/api/v1/public/rankings/{rid}", headers=PUBLIC)).json()
    assert notice["lines"] == frozen and [c["entry_id"] for c in notice["corrections"]] == [fix.json()["id"]]


async def test_departments_form_a_tier_of_their_own(scoring) -> None:
    _app, client = scoring
    made = await client.post(
        "/api/v1/rankings",
        json={"scope_org": PROVINCE, "tier": "province", "period": QUARTER},
        headers=OFFICE,
    )
    assert made.status_code == 201
    assert {x["org_code"] for x in made.json()["lines"]} == {DEPT, "520000000000D02"}
    listed = await client.get("/api/v1/rankings", headers=person(PROVINCE, "handler"))
    assert listed.json()["total"] == 1
    assert (await client.get("/api/v1/rankings", headers=person(CITY, "office"))).json()["total"] == 0
