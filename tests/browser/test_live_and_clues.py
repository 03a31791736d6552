"""Two flows of issue 14 that wait on the real services, in a real browser over the distributed cluster: the
city deputy sees the lagging warning (滞后预警) arrive live from the notification stream, without a reload; a
member of the public files a clue on the portal, the office triages it in the UI and the reporter looks its
status up. Every wait is on what the page shows (no sleeps)."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.test_supervision_scoring import _sql
from tests.e2e.cluster import create_task, wait_until

pytestmark = pytest.mark.e2e
CITY = "520100000000"
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()
SLOW = 90_000  # ms: the scan, the event over RabbitMQ and the stream on a loaded two-core machine


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
    statement = "UPDATE task SET created_at = :c, accepted_at = :c WHERE id = :id"
    with ThreadPoolExecutor(1) as pool_:  # Playwright's sync API runs an event loop in this thread
        pool_.submit(asyncio.run, _sql(cluster, "tasking", statement, c=since, id=task_id)).result()

    deputy = open_session()
    page = deputy.sign_in("city_deputy")
    page.locator("[data-test=fig-total]").wait_for(timeout=SLOW)
    # The stream is open before the scan runs: the header says so (data-live on the unread bell).
    page.locator("[data-test=unread][data-live=yes]").wait_for(timeout=SLOW)
    before = cluster.client("city_deputy").get("/api/v1/notifications/unread-count").json()["unread"]
    assert cluster.client("admin").post("/api/v1/deadline-scans").status_code == 200
    # No reload: the warning pops up from the stream and the header's count moves.
    note = page.locator(".live-note", has_text=title)
    note.wait_for(timeout=SLOW)
    assert "滞后预警" in note.inner_text()
    page.wait_for_function(
        "n => Number(document.querySelector('[data-test=unread] sup')?.textContent || 0) > n",
        arg=before,
        timeout=SLOW,
        polling=200,
    )
    deputy.shot("lagging-live")
    assert not deputy.errors, deputy.errors


def test_a_clue_from_the_public_is_triaged_and_its_status_looked_up(open_session, cluster) -> None:
    public = open_session()
    page = public.goto("/portal/clues")
    page.click("[data-test=clue-submit]")
    # Nothing chosen: the messages stand next to their fields.
    page.locator("[data-test=clue-form] .el-form-item__error").first.wait_for()
    public.shot("portal-clue-errors")
    page.locator("[data-test=clue-form] .el-select").nth(0).click()
    page.get_by_role("option", name="贵州省人民政府").click()
    page.locator("[data-test=clue-form] .el-select").nth(1).click()
    page.get_by_role("option", name="群众身边问题").click()
    content = f"某乡镇惠民资金迟迟未发放到户 {uuid.uuid4().hex[:6]}"
    page.get_by_label("反映的情况").fill(content)
    page.click("[data-test=clue-submit]")
    receipt_no = page.locator("[data-test=receipt-no]")
    receipt_no.wait_for(timeout=SLOW)
    receipt = receipt_no.inner_text()
    secret = page.locator("[data-test=receipt-secret]").inner_text()
    assert receipt.startswith("XS") and secret
    public.shot("portal-clue-receipt")

    office = open_session()
    page = office.sign_in("province_office")
    office.goto("/supervision/clues")
    page.locator("[data-test=clues]").get_by_text(content[:20]).first.click()
    triage = page.locator("[data-test=clue-triage]")
    triage.wait_for()
    outcome = triage.locator(".el-radio", has_text="不予立案")
    outcome.click()
    triage.locator(".el-radio.is-checked", has_text="不予立案").wait_for()
    page.click("[data-test=clue-triage-send]")
    triage.locator(".el-form-item__error", has_text="不予立案须说明理由").wait_for()
    page.get_by_label("研判意见").fill("经核实，资金已于上周发放")
    page.click("[data-test=clue-triage-send]")
    page.locator("[data-test=clue-detail]", has_text="已办理").wait_for(timeout=SLOW)
    office.shot("clue-triaged")

    page = public.goto("/portal/clues")
    page.get_by_label("受理编号").fill(receipt)
    page.get_by_label("查询密码").fill(secret)
    page.click("[data-test=clue-find]")
    page.locator("[data-test=clue-status]", has_text="已办理").wait_for(timeout=SLOW)
    assert not (public.errors or office.errors)
