"""The closed loop's oversight stages (tests/e2e/test_closed_loop.py, the story in loop_story.py): scoring's
deduction and negative list, the unannounced inspection and its rectification item, the quarter's end
(self-checks, the townships' ranking on the public portal) and the exemption next quarter's inspection plan
has to respect."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from luoshi_cli.demo.oversight import next_quarter
from tests.e2e.loop_story import (
    NANMING,
    PROVINCE,
    TOWNSHIP,
    Story,
    eventually,
    finish,
    ok,
    on_timeline,
    timeline,
)


def scored(s: Story) -> None:
    """Points deducted from 南明区 and the task on its negative list."""
    assert s.lagging
    lagging = s.lagging["id"]

    def negative() -> dict[str, Any] | None:
        items = ok(s.office.get("/api/v1/negative-list", params={"org": NANMING, "limit": 200}))["items"]
        return next((n for n in items if n["task_id"] == lagging), None)

    entry = eventually(negative, "the negative-list entry of the overdue task")
    assert entry["org_code"] == NANMING and entry["source"] == "task_overdue"
    standing = ok(s.office.get(f"/api/v1/points/standings/{NANMING}"))
    assert any(e["task_id"] == lagging and float(e["points"]) < 0 for e in standing["entries"]["items"])
    s.events.append(("scoring.negative_list.added.v1", entry["id"]))


def unannounced_inspection(s: Story) -> str:
    """暗访 of 南明区 about its late quarter: invisible to it until conducted, on its task's timeline from
    then on; a public clue about it is triaged into it."""
    assert s.lagging
    inspection = {
        "title": "暗访 南明区 重点项目建设",
        "kind": "unannounced",
        "subject_kind": "theme",
        "subject": "重点项目建设攻坚",
        "target_orgs": [NANMING],
        "task_ids": [s.lagging["id"]],
        "planned_start": s.today.isoformat(),
        "planned_end": s.today.isoformat(),
    }
    iid = str(ok(s.office.post("/api/v1/inspections", json=inspection), 201)["id"])
    assert s.nanming.get(f"/api/v1/inspections/{iid}").status_code == 404
    assert iid not in [i["id"] for i in ok(s.nanming.get("/api/v1/inspections"))["items"]]
    conduct = {"conducted_on": s.today.isoformat(), "summary": "征拆进度滞后, 台账不实"}
    ok(s.office.post(f"/api/v1/inspections/{iid}/conduct", json=conduct))
    assert ok(s.nanming.get(f"/api/v1/inspections/{iid}"))["id"] == iid
    # On the task's timeline from conducted on; the scheduled event (published before it) never.
    on_timeline(s.nanming, s.lagging["id"], "supervision.inspection.conducted.v1")
    kinds = [i["event_type"] for i in timeline(s.nanming, s.lagging["id"])]
    assert "supervision.inspection.scheduled.v1" not in kinds, kinds

    clue = {
        "org_code": PROVINCE,
        "category": "重点项目",
        "content": "南明区某重点项目长期停工, 征拆补偿迟迟不到位",
    }
    receipt = ok(httpx.post(f"{s.cluster.url}/api/v1/public/clues", json=clue, timeout=10), 201)
    clues = ok(s.office.get("/api/v1/clues", params={"limit": 200}))["items"]
    clue_id = next(c["id"] for c in clues if c.get("receipt_no") == receipt.get("receipt_no"))
    triage = {"outcome": "inspection", "target_ref": iid}
    assert ok(s.office.post(f"/api/v1/clues/{clue_id}/triage", json=triage))["outcome"] == "inspection"
    s.events.append(("supervision.inspection.conducted.v1", iid))
    return iid


def rectification(s: Story, iid: str) -> None:
    """The finding → a listed rectification item (挂牌督办) → first report rejected → second verified."""
    assert s.lagging
    body = {"inspection_id": iid, "org_code": NANMING, "task_id": s.lagging["id"], "title": "征拆台账不实"}
    finding = ok(s.office.post("/api/v1/findings", json=body), 201)
    order_body = {
        "leading_leader": f"p-{NANMING}-principal",
        "working_days": 10,
        "requirements": "据实建账",
        "listed": True,
    }
    rid = str(
        ok(s.office.post(f"/api/v1/findings/{finding['id']}/rectification", json=order_body), 201)["id"]
    )
    listed = ok(s.nanming.get("/api/v1/rectifications", params={"listed": True}))["items"]
    assert rid in [r["id"] for r in listed]
    path = f"/api/v1/rectifications/{rid}"
    ok(s.nanming.post(f"{path}/reports", json={"progress": "已整改", "final": True}), 201)
    assert ok(s.office.post(f"{path}/reject", json={"reason": "台账仍不实"}))["state"] != "verified"
    ok(s.nanming.post(f"{path}/reports", json={"progress": "逐户核实建账", "final": True}), 201)
    verified = ok(s.office.post(f"{path}/verify", json={"comment": "同意销号"}))
    assert verified["state"] == "verified" and verified["listed"] is False
    s.events += [
        (f"supervision.rectification.{step}.v1", rid) for step in ("ordered", "rejected", "verified")
    ]


def quarter_end(s: Story) -> str:
    """五里冲街道's part is done and accepted; self-checks are filed; 南明区 ranks its townships, its
    principal approves, the ranking is published on the public portal. Returns the best township."""
    finish(s.township, s.nanming, s.town_task)

    def scored() -> dict[str, Any] | None:
        page = ok(s.nanming.get(f"/api/v1/points/standings/{TOWNSHIP}", params={"period": s.quarter}))
        # The standing and its entries are read one after the other: wait until they agree as well.
        agree = page["standing"]["entries"] == page["entries"]["total"]
        return page if agree and any(e["task_id"] == s.town_task for e in page["entries"]["items"]) else None

    ledger = eventually(scored, "the township's close-out to be scored")["standing"]["points"]
    mine = {"period": s.quarter, "claimed_points": ledger, "summary": "本季度承接任务按期完成"}
    check = ok(s.township.post("/api/v1/self-checks", json=mine), 201)
    assert check["to_org"] == NANMING and float(check["ledger_points"]) == float(ledger)
    county = {
        "period": s.quarter,
        "claimed_points": "0",
        "summary": "重点项目一季度任务逾期, 已按督办要求整改",
        "explanation": "逾期扣分待复核",
    }
    ok(s.nanming.post("/api/v1/self-checks", json=county), 201)
    filed = ok(s.city.get("/api/v1/self-checks", params={"org": NANMING, "period": s.quarter}))["items"]
    assert [c["org_code"] for c in filed] == [NANMING]
    missing = ok(s.nanming.get("/api/v1/self-checks/missing", params={"period": s.quarter}))["items"]
    assert TOWNSHIP not in [m["org_code"] for m in missing]

    body = {"scope_org": NANMING, "tier": "township", "period": s.quarter}
    ranking = ok(s.nanming.post("/api/v1/rankings", json=body), 201)
    rid = ranking["id"]
    assert ranking["state"] == "draft"
    anonymous = httpx.Client(base_url=s.cluster.url, timeout=10)
    assert anonymous.get(f"/api/v1/public/rankings/{rid}").status_code == 404
    assert s.nanming.post(f"/api/v1/rankings/{rid}/approve").status_code == 403  # the principal's
    assert ok(s.nanming_principal.post(f"/api/v1/rankings/{rid}/approve"))["state"] == "approved"
    published = ok(s.nanming.post(f"/api/v1/rankings/{rid}/publish"))
    best = min(published["lines"], key=lambda line: line["position"])
    assert best["org_code"] == TOWNSHIP and float(best["points"]) == float(ledger), published["lines"]
    public = ok(anonymous.get("/api/v1/public/rankings", params={"scope_org": NANMING, "period": s.quarter}))
    assert [r["id"] for r in public["items"]] == [rid]
    shown = ok(anonymous.get(f"/api/v1/public/rankings/{rid}"))
    assert shown["lines"][0]["org_code"] == TOWNSHIP
    s.events += [("scoring.ranking.approved.v1", rid), ("scoring.ranking.published.v1", rid)]
    return str(best["org_code"])


def exempt_and_plan(s: Story, best: str) -> None:
    """The best township is exempted next quarter; 南明区's routine inspection plan has to skip it."""
    start, end = next_quarter(s.today)
    grant = {
        "org_code": best,
        "starts_on": start.isoformat(),
        "ends_on": end.isoformat(),
        "basis": f"{s.quarter} 乡镇排名第一, 成效特别显著",
    }
    exemption = ok(s.nanming.post("/api/v1/exemption-grants", json=grant), 201)
    s.events.append(("scoring.exemption.granted.v1", exemption["id"]))

    def known() -> list[Any] | None:
        rows = ok(s.nanming.get("/api/v1/exemptions", params={"on": start.isoformat()}))
        return [r for r in rows if r["org_code"] == best] or None

    eventually(known, "supervision to learn of the exemption")
    plan_body = {
        "year": start.year,
        "title": f"南明区{start.year}年第{(start.month - 1) // 3 + 1}季度督查计划",
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
    }
    plan = ok(s.nanming.post("/api/v1/inspection-plans", json=plan_body), 201)
    ranking = ok(s.nanming.get("/api/v1/rankings", params={"scope_org": NANMING, "period": s.quarter}))
    lines = ok(s.nanming.get(f"/api/v1/rankings/{ranking['items'][0]['id']}"))["lines"]
    other = next(line["org_code"] for line in lines if line["org_code"] != best)
    routine = {
        "title": "重点项目建设专项督查",
        "kind": "special",
        "subject_kind": "theme",
        "subject": "重点项目建设攻坚",
        "target_orgs": [best, other],
        "planned_start": (start + timedelta(days=14)).isoformat(),
        "planned_end": (start + timedelta(days=16)).isoformat(),
        "plan_id": plan["id"],
    }
    refused = s.nanming.post("/api/v1/inspections", json=routine)
    assert refused.status_code == 422 and refused.json()["units"] == [best], refused.text
    ok(s.nanming.post("/api/v1/inspections", json=routine | {"target_orgs": [other]}), 201)
    planned = ok(s.nanming.get(f"/api/v1/inspection-plans/{plan['id']}"))["inspections"]
    assert [i["target_orgs"] for i in planned] == [[other]]
