"""情况通报: periods, what each section says, and the Word and PDF files read back."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document
from pypdf import PdfReader

from luoshi_gateway.bulletins.render_docx import render_docx
from luoshi_gateway.bulletins.render_pdf import render_pdf
from luoshi_gateway.bulletins.rules import Facts, LateTask, UnitFigures, compose, parse_period
from luoshi_kit.errors import Problem


def test_periods() -> None:
    q4 = parse_period("2026-Q4")
    assert (q4.start, q4.end, q4.label) == (date(2026, 10, 1), date(2026, 12, 31), "2026年第四季度")
    feb = parse_period("2028-02")
    assert (feb.start, feb.end, feb.label) == (date(2028, 2, 1), date(2028, 2, 29), "2028年2月")
    assert parse_period("2026").end == date(2026, 12, 31)
    for bad in ("2026-Q5", "2026-13", "26-Q1", "2026Q1", "", "0000", "0000-01"):
        with pytest.raises(Problem):
            parse_period(bad)


def _facts(*, ranked: bool) -> Facts:
    return Facts(
        org_name="贵阳市人民政府",
        period=parse_period("2026-Q4"),
        issued_on=date(2026, 12, 1),
        own=UnitFigures("贵阳市人民政府", 12, 5, 4, 2, 1),
        children=[
            UnitFigures("南明区人民政府", 7, 4, 4, 0, 0, 96.5 if ranked else None, 1 if ranked else None),
            UnitFigures("云岩区人民政府", 5, 1, 0, 2, 1, 81.0 if ranked else None, 2 if ranked else None),
        ],
        completed=[("推进数字政府建设", "南明区人民政府", date(2026, 11, 3), True)],
        completed_total=5,
        late=[LateTask("老旧小区改造", "云岩区人民政府", date(2026, 11, 20), True, 40, "征地手续未完成")],
        supervision={"催办、督办": 3, "挂牌督办": 1},
        ranking_published=ranked,
    )


def test_sections_say_what_happened() -> None:
    text = compose(_facts(ranked=True)).text()
    assert "关于2026年第四季度重点任务落实情况的通报" in text
    assert "共承担重点任务 12 项，已办结 5 项，其中按时办结 4 项（按时办结率 80.0%）" in text
    assert "超期 2 项、进度滞后 1 项" in text
    assert "南明区人民政府“推进数字政府建设”（2026年11月3日办结）等 5 项" in text
    assert "老旧小区改造 超期 2026年11月20日 40% 征地手续未完成" in text
    assert "催办、督办 3 次，挂牌督办 1 次" in text
    assert "1 南明区人民政府 96.5" in text
    assert "云岩区人民政府要针对滞后和超期事项" in text
    unranked = compose(_facts(ranked=False)).text()
    assert "本期排名尚未经本级政府主要负责同志批准公布" in unranked


def test_the_public_version_keeps_totals_and_the_published_ranking_only() -> None:
    text = compose(_facts(ranked=True), public=True).text()
    assert "共承担重点任务 12 项" in text and "1 南明区人民政府 96.5" in text
    assert "老旧小区改造" not in text and "征地手续" not in text and "催办" not in text
    assert "单位 任务数" not in text  # no figures by unit beyond the published ranking


def test_word_and_pdf_carry_the_bulletin() -> None:
    bulletin = compose(_facts(ranked=True))
    document = Document(io.BytesIO(render_docx(bulletin)))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "督 查 通 报"
    assert bulletin.title in paragraphs
    assert [p for p in paragraphs if p.startswith(("一、", "二、", "三、", "四、", "五、", "六、"))] == [
        s.title for s in bulletin.sections
    ]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "征地手续未完成" in cells and "南明区人民政府" in cells
    masthead = document.paragraphs[0].runs[0]
    assert masthead.font.color.rgb is not None and str(masthead.font.color.rgb) == "C00000"

    reader = PdfReader(io.BytesIO(render_pdf(bulletin)))
    pdf_text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    for expected in (
        bulletin.title,
        "一、总体进展",
        "征地手续未完成",
        "六、下一步工作",
        "贵阳市人民政府督查室",
    ):
        assert expected in pdf_text, expected
