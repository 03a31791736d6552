"""Issue 14's supervision and scoring flows, in a real browser over the distributed cluster: the principal
approves a ranking and the public sees it on the portal, and the urged unit answers an urge with 原因 and
整改措施. The live lagging warning and the public clue are in test_live_and_clues.py, inspections in
test_inspections.py."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.e2e.cluster import Cluster

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
