"""Each role's main flow in a real browser: the office issues, the county handler accepts and reports; scope,
validation and import errors as a user sees them."""

from __future__ import annotations

import io
import uuid

import pytest
from openpyxl import Workbook

from tests.e2e.cluster import Cluster, create_task, wait_until

pytestmark = pytest.mark.e2e


def _pick_org(page, picker: str, *path: str) -> None:
    """Choose a unit in an organisation picker by walking down its tree."""
    page.click(picker)
    tree = page.locator(".org-popper:visible")
    for name in path[:-1]:
        tree.locator(".el-tree-node__content", has_text=name).first.locator(
            ".el-tree-node__expand-icon"
        ).click()
    tree.locator(".org-node", has_text=path[-1]).first.click()


def _task_assigned(cluster: Cluster, title: str) -> str:
    office = cluster.client("province_office")

    def made() -> str | None:
        r = create_task(office, title=title)
        return r.json()["id"] if r.status_code == 201 else None

    return wait_until(made, 60, "tasking to know the seeded tree")


def test_office_issues_a_task_and_the_county_handler_accepts_and_reports(open_session, cluster) -> None:
    _task_assigned(cluster, "预热任务")  # the services have taken in the tree
    title = f"推进数字乡村建设 {uuid.uuid4().hex[:6]}"
    office = open_session()
    page = office.sign_in("province_office")
    page.get_by_role("menuitem", name="交办任务").click()
    page.wait_for_url("**/tasks/new")
    page.fill("#t-title", title)
    _pick_org(page, "#t-lead", "贵州省人民政府", "贵阳市人民政府", "南明区")
    page.fill("#t-deadline", "2099-06-30")
    page.keyboard.press("Enter")
    page.click("[data-test=submit-task]")
    page.wait_for_url("**/tasks/*-*")
    assert page.locator("[data-test=task-title]").inner_text() == title
    office.shot("task-issued")
    task_id = page.url.rsplit("/", 1)[-1]
    assert not office.errors, office.errors

    handler = open_session()
    page = handler.sign_in("county_handler")
    # The inbox count in the header picks up the assignment.
    wait_until(
        lambda: cluster.client("county_handler").get("/api/v1/notifications").json()["unread"] > 0,
        30,
        "the handler's inbox",
    )
    handler.goto("/inbox")
    assert page.locator("[data-test=inbox]").get_by_text(title).count() >= 1
    handler.goto(f"/tasks/{task_id}")
    page.click("[data-test=accept]")
    page.get_by_role("dialog").get_by_role("button", name="签收").click()
    page.get_by_text("已签收").first.wait_for()
    page.click("[data-test=report]")
    page.fill("#r-progress", "已完成光纤入村摸底")
    page.fill("#r-problems", "部分村组地形复杂")
    page.fill("#r-measures", "下月协调运营商施工")
    page.click("[data-test=submit-report]")
    page.locator(".report dd", has_text="已完成光纤入村摸底").first.wait_for()
    handler.shot("task-reported")
    page.get_by_role("tab", name="全程留痕").click()
    page.locator("[data-test=timeline]").wait_for()
    assert not handler.errors, handler.errors

    body = cluster.client("province_office").get(f"/api/v1/tasks/{task_id}").json()
    assert body["state"] == "accepted" and body["last_report_at"]


def test_a_task_outside_ones_subtree_shows_the_404_page(open_session, cluster) -> None:
    secret = f"云岩区专项任务 {uuid.uuid4().hex[:6]}"
    office = cluster.client("province_office")
    task_id = wait_until(
        lambda: (
            (r := create_task(office, title=secret, lead_unit="520103000000")).status_code == 201
            and r.json()["id"]
        ),
        60,
        "a task for 云岩区",
    )
    handler = open_session()
    page = handler.sign_in("county_handler")
    handler.goto(f"/tasks/{task_id}")
    page.locator("[data-test=not-found]").wait_for()
    assert secret not in page.content()
    handler.shot("not-found")
    handler.goto("/admin/audit")  # a page the role may not use
    page.locator("[data-test=not-found]").wait_for()


def test_form_errors_appear_next_to_their_fields(open_session, cluster) -> None:
    _task_assigned(cluster, "预热任务")
    s = open_session()
    page = s.sign_in("province_office")
    s.goto("/tasks/new")
    page.click("[data-test=submit-task]")
    title_item = page.locator(".el-form-item:has(#t-title)")
    assert "请输入任务名称" in title_item.locator(".el-form-item__error").inner_text()
    # The API's own message (a deadline in the past) lands under the deadline field.
    page.fill("#t-title", "校验演示任务")
    _pick_org(page, "#t-lead", "贵州省人民政府", "贵阳市人民政府", "南明区")
    page.fill("#t-deadline", "2020-01-02")
    page.keyboard.press("Enter")
    page.click("[data-test=submit-task]")
    deadline_item = page.locator(".el-form-item:has(#t-deadline)")
    deadline_item.locator(".el-form-item__error").wait_for()
    assert "早于今天" in deadline_item.locator(".el-form-item__error").inner_text()
    s.shot("form-errors")


def test_the_import_view_lists_each_bad_cell(open_session, cluster, tmp_path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["任务名称", "牵头单位代码", "完成时限"])
    ws.append(["好的一行", "520102000000", "2099-01-31"])
    ws.append(["坏的一行", "520102000000", "明年再说"])
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / "bad.xlsx"
    path.write_bytes(buf.getvalue())

    s = open_session()
    page = s.sign_in("province_office")
    s.goto("/tasks/import")
    page.set_input_files("[data-test=import-file]", str(path))
    page.click("[data-test=import-submit]")
    table = page.locator("[data-test=import-errors]")
    table.wait_for()
    text = table.inner_text()
    assert "C3" in text, text
    assert page.locator("[data-test=import-message]").is_visible()
    s.shot("import-errors")
    # All or nothing: the good row was not imported either.
    listed = cluster.client("province_office").get("/api/v1/tasks", params={"limit": 200}).json()["items"]
    assert not [t for t in listed if t["title"] == "好的一行"]
