"""Issue 14's flows beyond tasks, in a real browser over the distributed cluster: the deputy sees the lagging
warning arrive live (the notification stream), the principal approves a ranking and the public sees it on
the portal, a member of the public files a clue that the office triages and the reporter looks up, and the
urged unit answers an urge with 原因 and 整改措施."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.e2e.cluster import Cluster, create_task, wait_until

pytestmark = pytest.mark.e2e
CITY = "520100000000"
PROVINCE = "520000000000"
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def _sql(cluster: Cluster, service: str, statement: str, **params: Any) -> None:
    engine = create_async_engine(
        cluster.env["LUOSHI_DATABASE_URL"].format(service=service), poolclass=pool.NullPool
    )
    try:
        async with engine.begin() as conn:
            await conn.execute(text(statement), params)
    finally:
        await engine.dispose()


def _person(cluster: Cluster, username: str, org_code: str, roles: list[str]) -> None:
    admin = cluster.client("admin")
    r = admin.post(
        "/api/v1/people",
        json={
            "display_name": f"测试{username}",
            "username": username,
            "password": cluster.demo_password,
            "org_code": org_code,
            "roles": roles,
            "active": True,
        },
    )
    assert r.status_code in (201, 409), r.text


def test_the_deputy_sees_the_lagging_warning_arrive_live(open_session, cluster) -> None:
    office = cluster.client("province_office")
    title = f"推进城市更新 {uuid.uuid4().hex[:6]}"

    def made() -> str | None:
        r = create_task(
            office,
            title=title,
            lead_unit=CITY,
            start_date=str(TODAY - timedelta(days=60)),
            deadline=str(TODAY + timedelta(days=30)),
        )
        return r.json()["id"] if r.status_code == 201 else None

    task_id = wait_until(made, 60, "tasking to know the seeded tree")
    assert cluster.client("city_deputy").post(f"/api/v1/tasks/{task_id}/accept", json={}).status_code == 200
    # Accepted weeks ago (lagging is warned for the weeks after the duty start): time passes in the database.
    since = datetime.combine(TODAY - timedelta(days=60), datetime.min.time(), UTC)
    # Playwright's sync API runs an event loop in this thread: the SQL runs in another.
    statement = "UPDATE task SET created_at = :c, accepted_at = :c WHERE id = :id"
    with ThreadPoolExecutor(1) as pool_:
        pool_.submit(asyncio.run, _sql(cluster, "tasking", statement, c=since, id=task_id)).result()

    deputy = open_session()
    page = deputy.sign_in("city_deputy")
    page.locator("[data-test=fig-total]").wait_for()
    before = cluster.client("city_deputy").get("/api/v1/notifications/unread-count").json()["unread"]
    assert cluster.client("admin").post("/api/v1/deadline-scans").status_code == 200
    # No reload: the warning pops up from the stream and the header's count moves.
    note = page.locator(".live-note", has_text=title)
    note.wait_for(timeout=60_000)
    assert "滞后预警" in note.inner_text()
    wait_until(
        lambda: int(page.locator("[data-test=unread] sup").inner_text() or 0) > before or None,
        30,
        "the unread badge to move",
    )
    deputy.shot("lagging-live")
    assert not deputy.errors, deputy.errors


def test_the_principal_approves_a_ranking_and_the_public_sees_it(open_session, cluster) -> None:
    _person(cluster, "province_principal", PROVINCE, ["principal"])
    office = open_session()
    page = office.sign_in("province_office")
    office.goto("/scoring/rankings")
    page.click("[data-test=ranking-new]")
    page.click("[data-test=ranking-save]")
    page.locator("[data-test=ranking-table]").wait_for()
    assert not page.locator("[data-test=ranking-drawer-approve]").count(), "the office does not approve"
    office.shot("ranking-draft")

    principal = open_session()
    page = principal.sign_in("province_principal")
    principal.goto("/scoring/rankings")
    page.locator("[data-test=ranking-approve]").first.click()
    page.locator(".el-message-box").get_by_role("button", name="批准").click()
    page.locator("[data-test=ranking-drawer-publish]").click()
    page.locator(".el-message-box").get_by_role("button", name="公示").click()
    page.get_by_text("已公示").first.wait_for()
    principal.shot("ranking-published")

    public = open_session()
    page = public.goto("/portal/rankings")
    page.locator("[data-test=public-ranking-title]").wait_for()
    assert "市（州）" in page.locator("[data-test=public-ranking-title]").inner_text()
    assert page.locator("[data-test=ranking-table] tbody tr").count() >= 1
    assert not public.axe(), public.axe()
    public.shot("portal-rankings")
    assert not (office.errors or principal.errors or public.errors)


def test_a_clue_from_the_public_is_triaged_and_its_status_looked_up(open_session, cluster) -> None:
    public = open_session()
    page = public.goto("/portal/clues")
    page.click("[data-test=clue-submit]")
    # Nothing chosen: the messages stand next to their fields.
    page.locator(".el-form-item__error").first.wait_for()
    public.shot("portal-clue-errors")
    page.locator("[data-test=clue-form] .el-select").nth(0).click()
    page.get_by_role("option", name="贵州省人民政府").click()
    page.locator("[data-test=clue-form] .el-select").nth(1).click()
    page.get_by_role("option", name="群众身边问题").click()
    content = f"某乡镇惠民资金迟迟未发放到户 {uuid.uuid4().hex[:6]}"
    page.get_by_label("反映的情况").fill(content)
    page.click("[data-test=clue-submit]")
    receipt = page.locator("[data-test=receipt-no]").inner_text()
    secret = page.locator("[data-test=receipt-secret]").inner_text()
    assert receipt.startswith("XS") and secret
    public.shot("portal-clue-receipt")

    office = open_session()
    page = office.sign_in("province_office")
    office.goto("/supervision/clues")
    page.locator("[data-test=clues]").get_by_text(content[:20]).first.click()
    page.locator("[data-test=clue-triage] .el-radio", has_text="不予立案").click()
    page.click("[data-test=clue-triage-send]")
    assert "不予立案须说明理由" in page.locator("[data-test=clue-triage]").inner_text()
    page.get_by_label("研判意见").fill("经核实，资金已于上周发放")
    page.click("[data-test=clue-triage-send]")
    page.locator("[data-test=clue-detail]", has_text="已办理").wait_for()
    office.shot("clue-triaged")

    page = public.goto("/portal/clues")
    page.get_by_label("受理编号").fill(receipt)
    page.get_by_label("查询密码").fill(secret)
    page.click("[data-test=clue-find]")
    assert "已办理" in page.locator("[data-test=clue-status]").inner_text()
    assert not (public.errors or office.errors)


def test_the_urged_unit_answers_with_reason_and_plan(open_session, cluster) -> None:
    office = open_session()
    page = office.sign_in("province_office")
    office.goto("/supervision/urges")
    page.click("[data-test=urge-new]")
    form = page.locator("[data-test=urge-form]")
    page.click("[data-test=urge-send]")
    form.locator(".el-form-item__error").first.wait_for()  # nothing filled: field messages
    from tests.browser.test_flows import _pick_org

    _pick_org(page, "[data-test=urge-form] .org-picker", "贵州省人民政府", "贵阳市人民政府", "南明区")
    message = f"请加快推进老旧小区改造 {uuid.uuid4().hex[:6]}"
    page.get_by_label("催办督办事项").fill(message)
    page.click("[data-test=urge-send]")
    page.locator("[data-test=urges]").get_by_text(message).first.wait_for()

    handler = open_session()
    page = handler.sign_in("county_handler")
    handler.goto("/supervision/urges")
    page.locator("[data-test=urges]").get_by_text(message).first.click()
    page.click("[data-test=urge-answer-send]")
    page.locator("[data-test=urge-answer] .el-form-item__error").first.wait_for()
    page.get_by_label("原因").fill("拆迁协调时间较长")
    page.get_by_label("整改措施").fill("本月底前完成剩余两栋楼的改造")
    page.click("[data-test=urge-answer-send]")
    page.locator("[data-test=urge-detail]", has_text="已答复").wait_for()
    handler.shot("urge-answered")
    assert not (office.errors or handler.errors)
