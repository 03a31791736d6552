"""Reading task-list workbooks built in memory, and writing ledgers and templates."""

from __future__ import annotations

import io
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from luoshi_tasking.spreadsheets.columns import EXPORT_COLUMNS, IMPORT_COLUMNS, ledger_row
from luoshi_tasking.spreadsheets.xlsx import (
    WorkbookRefused,
    parse_task_workbook,
    write_ledger,
    write_template,
)

HEADERS = ["任务名称", "任务内容", "来源", "类别", "牵头单位代码", "协办单位代码", "完成时限", "工作措施"]
#           A           B           C       D       E               F               G           H


def book(rows: list[list[Any]], *, headers: list[str] = HEADERS, title: str | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    if title:
        ws.append([title])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD: list[list[Any]] = [
    [
        "推进大数据战略行动",
        "建设平台",
        "省政府常务会议",
        "大数据",
        "520102000000",
        "520103000000、520111000000",
        datetime(2027, 6, 30),
        "周调度",
    ],
    ["民生实事", None, None, None, 520102000000, None, "2027-03-31", None],
]


def test_a_good_workbook_gives_one_task_per_row() -> None:
    sheet = parse_task_workbook(book(GOOD))
    assert sheet.errors == []
    assert [r.row for r in sheet.rows] == [2, 3]
    first, second = (r.task for r in sheet.rows)
    assert first.title == "推进大数据战略行动" and first.deadline == date(2027, 6, 30)
    assert first.co_units == ["520103000000", "520111000000"]
    assert first.measures == "周调度"
    assert second.lead_unit == "520102000000"  # typed as a number in Excel
    assert second.deadline == date(2027, 3, 31) and second.co_units == []


def test_a_title_row_above_the_header_and_blank_rows_are_fine() -> None:
    sheet = parse_task_workbook(book([GOOD[0], [None] * 8, GOOD[1]], title="南明区任务清单"))
    assert sheet.errors == [] and [r.row for r in sheet.rows] == [3, 5]


def test_errors_name_their_cells() -> None:
    rows = [
        GOOD[0],
        ["缺少时限", None, None, None, "520102000000", None, None, None],  # G3 missing
        ["坏日期", None, None, None, "520102000000", None, "明年六月", None],  # G4 unreadable
        ["", None, None, None, "52010200", None, "2027-01-01", None],  # A5 empty title, E5 bad code
        ["协办重复", None, None, None, "520102000000", "520103000000,520103000000", "2027-01-01", None],
        ["", None, None, None, None, None, None, None],
        GOOD[1],
    ]
    rows[5] = [None] * 8  # blank row 7 is skipped
    rows.insert(5, ["协办代码错", None, None, None, "520102000000", "abc", "2027-01-01", None])  # F7
    sheet = parse_task_workbook(book(rows))
    cells = {e.cell: e.message for e in sheet.errors}
    assert set(cells) == {"G3", "G4", "A5", "E5", "F6", "F7"}
    assert cells["G3"] == "必填"
    assert "日期无效" in cells["G4"]
    assert "重复" in cells["F6"] and "abc" in cells["F7"]
    assert [r.row for r in sheet.rows] == [2, 9]
    error = next(e for e in sheet.errors if e.cell == "F7").as_dict()
    assert error == {"row": 7, "column": "F", "cell": "F7", "header": "协办单位代码", "message": cells["F7"]}


def test_headers_are_checked() -> None:
    sheet = parse_task_workbook(book([["x", "2027-01-01"]], headers=["任务名称", "完成时间"]))
    messages = [(e.cell, e.message) for e in sheet.errors]
    assert messages == [
        ("B1", "未知的列「完成时间」"),
        ("A1", "缺少必需的列「牵头单位代码」"),
        ("A1", "缺少必需的列「完成时限」"),
    ]
    assert sheet.rows == []


@pytest.mark.parametrize(
    ("data", "status", "slug"),
    [
        (b"not a workbook", 422, "import-unreadable"),
        (book([]), 422, "import-empty"),
        (book([["a"]], headers=["名称"]), 422, "import-no-header"),
    ],
)
def test_unusable_files_are_refused_whole(data: bytes, status: int, slug: str) -> None:
    with pytest.raises(WorkbookRefused) as caught:
        parse_task_workbook(data)
    assert (caught.value.status, caught.value.slug) == (status, slug)


def test_too_many_rows() -> None:
    rows = [["t", None, None, None, "520102000000", None, "2027-01-01", None]] * 4
    assert len(parse_task_workbook(book(rows), max_rows=4).rows) == 4
    with pytest.raises(WorkbookRefused) as caught:
        parse_task_workbook(book(rows), max_rows=3)
    assert caught.value.status == 413


def test_ledger_has_title_frozen_header_and_reads_back_as_an_import() -> None:
    task = SimpleNamespace(
        id="t-1",
        title="推进大数据战略行动",
        description="建设平台",
        source="省政府常务会议",
        source_level=None,
        source_ref=None,
        category="大数据",
        lead_unit="520102000000",
        co_units=["520103000000"],
        principal_id=None,
        deputy_id=None,
        handler_id=None,
        start_date=None,
        deadline=date(2027, 6, 30),
        required_progress="",
        measures="周调度",
        report_due_dates=["2027-03-31"],
        issuing_org="520100000000",
        state="accepted",
        progress_percent=40,
        last_report_at=datetime(2026, 11, 2, 1, 30).astimezone(),
    )
    data = write_ledger([ledger_row(1, task, {"520102000000": "南明区"})], title="南明区台账")
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    assert ws["A1"].value == "南明区台账" and ws.freeze_panes == "A3"
    headers = [c.value for c in ws[2]]
    assert headers == [c.header for c in EXPORT_COLUMNS]
    row = dict(zip(headers, [c.value for c in ws[3]], strict=True))
    assert row["状态"] == "已签收" and row["进度(%)"] == 40 and row["牵头单位"] == "南明区"
    assert ws.column_dimensions["B"].width > 10
    parsed = parse_task_workbook(data)
    assert parsed.errors == []
    again = parsed.rows[0].task
    assert (again.title, again.lead_unit, again.co_units, again.deadline, again.measures) == (
        task.title,
        task.lead_unit,
        task.co_units,
        task.deadline,
        task.measures,
    )


def test_template_has_every_import_header_and_an_example_that_parses() -> None:
    data = write_template(example_deadline=date(2027, 12, 31))
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    assert [c.value for c in ws[2]] == [c.header for c in IMPORT_COLUMNS]
    sheet = parse_task_workbook(data)
    assert sheet.errors == [] and len(sheet.rows) == 1
    assert sheet.rows[0].task.deadline == date(2027, 12, 31)
