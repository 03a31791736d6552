"""督查检查 and 激励 in a real browser over the distributed cluster: the province office schedules an
inspection of a city (the empty form first shows its field messages), conducts it, records a finding and
orders its rectification, which then stands on the rectification board; an unannounced inspection (暗访) of
the county is not on the county's list while an announced one is; an incentive recorded for the public
appears on the portal."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.test_flows import _pick_org

pytestmark = pytest.mark.e2e
COUNTY = "520102000000"
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


def test_the_office_inspects_records_a_finding_and_orders_its_rectification(open_session, cluster) -> None:
    office = open_session()
    page = office.sign_in("province_office")
    office.goto("/supervision/inspections")
    page.click("[data-test=inspection-new]")
    form = page.locator("[data-test=inspection-form]")
    page.click("[data-test=inspection-save]")
    form.locator(".el-form-item__error").first.wait_for()  # nothing filled: field messages
    assert form.locator(".el-form-item__error", has_text="请填写督查名称").count() == 1
    title = f"优化营商环境专项督查 {uuid.uuid4().hex[:6]}"
    page.fill("#i-title", title)
    page.get_by_placeholder("文件文号、决策名称或专题").fill(title)
    _pick_org(page, "[data-test=inspection-form] .org-picker", "贵州省人民政府", "贵阳市人民政府")
    form.get_by_role("button", name="添加").first.click()
    form.locator("[data-test=targets]").get_by_text("贵阳市人民政府").wait_for()
    page.click("[data-test=inspection-save]")

    detail = page.locator("[data-test=inspection-detail]")
    detail.locator("[data-test=inspection-state]", has_text="已安排").wait_for()
    page.locator("[data-test=inspections]").get_by_text(title).first.wait_for()
    page.click("[data-test=inspection-conduct]")
    page.get_by_label("督查实施情况记录").fill("实地查看政务服务中心, 抽查办件 20 件")
    page.click("[data-test=inspection-send]")
    detail.locator("[data-test=inspection-state]", has_text="已实施").wait_for()

    finding = f"企业开办环节仍需线下提交材料 {uuid.uuid4().hex[:4]}"
    page.click("[data-test=finding-add]")
    page.get_by_label("问题", exact=True).fill(finding)
    page.click("[data-test=finding-save]")
    findings = page.locator("[data-test=findings]")
    findings.get_by_text(finding).wait_for()
    findings.get_by_role("button", name="下达整改通知").first.click()
    order = page.locator("[data-test=order-form]")
    order.locator(".el-select").first.click()
    page.locator(".el-select-dropdown__item:visible", has_text="李副市长").first.click()
    page.get_by_label("整改要求").fill("一个月内实现企业开办全程网办")
    page.click("[data-test=order-send]")
    findings.get_by_text("已下达").wait_for()
    office.shot("inspection-finding-ordered")

    office.goto("/supervision/rectifications")
    page.locator("[data-test=rect-board]").get_by_text(finding).wait_for()
    assert not office.errors, office.errors


def test_an_unannounced_inspection_is_not_shown_to_its_target(open_session, cluster) -> None:
    api = cluster.client("province_office")
    suffix = uuid.uuid4().hex[:6]
    common = {
        "subject_kind": "theme",
        "target_orgs": [COUNTY],
        "planned_start": TODAY.isoformat(),
        "planned_end": (TODAY + timedelta(days=10)).isoformat(),
    }
    announced = f"回访督查 {suffix}"
    secret = f"暗访督查 {suffix}"
    for title, kind in ((announced, "follow_up"), (secret, "unannounced")):
        r = api.post("/api/v1/inspections", json={**common, "title": title, "kind": kind, "subject": title})
        assert r.status_code == 201, r.text

    office = open_session()
    page = office.sign_in("province_office")
    office.goto("/supervision/inspections")
    table = page.locator("[data-test=inspections]")
    table.get_by_text(secret).wait_for()  # the inspecting side sees it, marked 暗访
    assert table.locator("tr", has_text=secret).get_by_text("暗访", exact=True).count() == 1

    handler = open_session()
    page = handler.sign_in("county_handler")
    handler.goto("/supervision/inspections")
    table = page.locator("[data-test=inspections]")
    table.get_by_text(announced).wait_for()
    assert table.get_by_text(secret).count() == 0
    handler.shot("inspections-as-target")
    assert not (office.errors or handler.errors)


def test_an_incentive_recorded_for_the_public_appears_on_the_portal(open_session, cluster) -> None:
    office = open_session()
    page = office.sign_in("province_office")
    office.goto("/scoring/decisions")
    page.click("[data-test=incentive-add]")
    form = page.locator("[data-test=incentive-form]")
    page.click("[data-test=incentive-save]")
    form.locator(".el-form-item__error").first.wait_for()  # nothing filled: field messages
    _pick_org(page, "[data-test=incentive-form] .org-picker", "贵州省人民政府", "贵阳市人民政府")
    title = f"营商环境改善明显 {uuid.uuid4().hex[:6]}"
    page.get_by_label("激励事项").fill(title)
    page.get_by_label("激励依据").fill("季度积分排名第一")
    form.get_by_text("在门户公开").click()
    page.click("[data-test=incentive-save]")
    page.locator("[data-test=incentives]").get_by_text(title).wait_for()

    public = open_session()
    page = public.goto("/portal/notices")
    page.locator("[data-test=public-decisions]").get_by_text(title).wait_for()
    public.shot("portal-incentive")
    assert not (office.errors or public.errors)
