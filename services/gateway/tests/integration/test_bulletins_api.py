"""情况通报 through the gateway: from its read models, for the caller's subtree only; the public version on
the portal without sign-in; bad periods refused."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import httpx
from docx import Document
from fastapi import FastAPI
from pypdf import PdfReader

from luoshi_gateway.views import summaries
from luoshi_gateway.views.models import TaskView, TimelineEntry
from luoshi_kit.timebase import business_today
from services.gateway.tests.integration.conftest import CITY, COUNTY, headers_of


async def _seed_views(app: FastAPI) -> None:
    today = business_today()
    now = datetime.now(UTC)
    async with app.state.sessionmaker() as session, session.begin():
        session.add_all(
            [
                TaskView(
                    task_id="t-late",
                    title="老旧小区改造",
                    issuing_org=CITY,
                    lead_unit=COUNTY,
                    co_units=[],
                    deadline=today - timedelta(days=3),
                    state="accepted",
                    progress_percent=40,
                    overdue=True,
                    lagging=False,
                    updated_at=now,
                ),
                TaskView(
                    task_id="t-done",
                    title="推进数字政府建设",
                    issuing_org=CITY,
                    lead_unit=COUNTY,
                    co_units=[],
                    deadline=today + timedelta(days=30),
                    state="closed",
                    progress_percent=100,
                    overdue=False,
                    lagging=False,
                    completed_on=today,
                    updated_at=now,
                ),
                TimelineEntry(
                    event_id="e-1",
                    task_id="t-late",
                    at=now,
                    event_type="supervision.urge.answered.v1",
                    source="supervision",
                    actor_id=None,
                    org_code=COUNTY,
                    summary="答复督办",
                    data={"reason": "征地手续未完成"},
                ),
            ]
        )
        await summaries.rebuild(session=session)


async def test_a_bulletin_of_ones_subtree_in_word_and_pdf(client: httpx.AsyncClient, app: FastAPI) -> None:
    await _seed_views(app)
    period = f"{business_today().year}-Q{(business_today().month - 1) // 3 + 1}"
    city = await headers_of(client, "city_admin")
    word = await client.get(f"/api/v1/bulletins/{CITY}", params={"period": period}, headers=city)
    assert word.status_code == 200, word.text
    assert word.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in word.headers["content-disposition"]
    document = Document(io.BytesIO(word.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "关于" in text and "重点任务落实情况的通报" in text
    assert "共承担重点任务 2 项，已办结 1 项" in text
    assert "“推进数字政府建设”" in text
    assert "老旧小区改造" in cells and "征地手续未完成" in cells and "南明区人民政府" in cells

    pdf = await client.get(
        f"/api/v1/bulletins/{CITY}", params={"period": period, "format": "pdf"}, headers=city
    )
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "征地手续未完成" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)

    public = await client.get(f"/api/v1/public/bulletins/{CITY}", params={"period": period})
    assert public.status_code == 200 and public.headers["content-type"] == "application/pdf"
    public_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(public.content)).pages)
    assert "共承担重点任务 2 项" in public_text.replace("\n", "") and "征地手续" not in public_text


async def test_outside_the_subtree_and_bad_input(client: httpx.AsyncClient, app: FastAPI) -> None:
    sibling = await headers_of(client, "sibling_admin")
    assert (
        await client.get(f"/api/v1/bulletins/{CITY}", params={"period": "2026"}, headers=sibling)
    ).status_code == 404
    city = await headers_of(client, "city_admin")
    for params in ({"period": "2026-Q7"}, {"period": "2026", "format": "xls"}, {}):
        response = await client.get(f"/api/v1/bulletins/{CITY}", params=params, headers=city)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(f"/api/v1/bulletins/{CITY}", params={"period": "2026"})).status_code == 401
    unknown = await client.get("/api/v1/public/bulletins/529900000000", params={"period": "2026"})
    assert unknown.status_code == 404
    assert (await client.get("/api/v1/public/bulletins/x1", params={"period": "2026"})).status_code in (
        404,
        422,
    )
