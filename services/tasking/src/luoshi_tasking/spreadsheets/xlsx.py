"""Reading a task-list workbook and writing ledgers and templates: plain functions, no server needed."""

from __future__ import annotations

import io
import itertools
import re
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from luoshi_tasking.spreadsheets.columns import (
    BY_HEADER,
    EXPORT_COLUMNS,
    EXPORT_ONLY_HEADERS,
    IMPORT_COLUMNS,
    TITLE_HEADER,
    cell_to_field,
    message_of,
)
from luoshi_tasking.spreadsheets.errors import WorkbookRefused
from luoshi_tasking.spreadsheets.guard import Limits, check_deadline, inspect_workbook
from luoshi_tasking.tasks.schemas import TaskCreate

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_SEARCH_ROWS = 10
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
# OWASP CSV injection: a text cell starting with one of these is a formula to Excel (or LibreOffice).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0 cannot hold (openpyxl raises IllegalCharacterError on the first few, writes the rest).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def safe_cell(value: Any) -> Any:
    """Text as text: characters XML cannot hold dropped, a formula prefix neutralised with a quote."""
    if not isinstance(value, str):
        return value
    value = XML_ILLEGAL.sub("", value)
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


@dataclass(frozen=True)
class CellError:
    row: int
    column: str
    message: str
    header: str | None = None

    @property
    def cell(self) -> str:
        return f"{self.column}{self.row}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "header": self.header,
            "message": self.message,
        }


@dataclass(frozen=True)
class ParsedRow:
    row: int
    task: TaskCreate


@dataclass
class ParsedSheet:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    letters: dict[str, str] = field(default_factory=dict)
    """Field name -> column letter in this file, to point service errors at their cells."""

    def error(self, row: int, field_name: str | None, message: str) -> None:
        letter = self.letters.get(field_name or "", "A")
        header = next((c.header for c in IMPORT_COLUMNS if c.field == field_name), None)
        self.errors.append(CellError(row, letter, message, header))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _find_header(rows: list[tuple[Any, ...]]) -> int:
    for index, values in enumerate(rows):
        if any(isinstance(v, str) and v.strip() == TITLE_HEADER for v in values):
            return index
    raise WorkbookRefused(
        422,
        "import-no-header",
        "找不到表头 No header row",
        f"前 {HEADER_SEARCH_ROWS} 行中没有含「{TITLE_HEADER}」的表头行; 请使用导入模板",
    )


def _map_header(sheet: ParsedSheet, header_row: int, values: Sequence[Any]) -> dict[int, str]:
    """Column index -> field; unknown, duplicate and missing required headers are errors."""
    by_index: dict[int, str] = {}
    for index, raw in enumerate(values):
        if _blank(raw):
            continue
        header, letter = str(raw).strip(), get_column_letter(index + 1)
        if header in EXPORT_ONLY_HEADERS:
            continue
        column = BY_HEADER.get(header)
        if column is None:
            sheet.errors.append(CellError(header_row, letter, f"未知的列「{header}」", header))
        elif column.field in sheet.letters:
            sheet.errors.append(CellError(header_row, letter, f"列「{header}」重复", header))
        else:
            by_index[index] = column.field
            sheet.letters[column.field] = letter
    for column in IMPORT_COLUMNS:
        if column.required and column.field not in sheet.letters:
            sheet.errors.append(CellError(header_row, "A", f"缺少必需的列「{column.header}」", column.header))
    return by_index


def parse_task_workbook(data: bytes, *, max_rows: int = 5000, limits: Limits | None = None) -> ParsedSheet:
    """Every data row validated through ``TaskCreate``; every problem as a cell error (e.g. F7).

    CPU-bound and bounded (``limits``: archive, sheet size, time): run it in a worker thread."""
    limits = limits or Limits()
    deadline = time.monotonic() + limits.seconds
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            size = inspect_workbook(archive, limits, deadline)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise WorkbookRefused(
            422, "import-unreadable", "无法读取文件 Unreadable workbook", f"不是有效的 .xlsx 文件: {exc}"
        ) from exc
    try:
        worksheet = book.worksheets[0]
        if hasattr(worksheet, "reset_dimensions"):
            worksheet.reset_dimensions()  # the declared <dimension> is not to be trusted: cells decide
        sheet_rows = worksheet.iter_rows(max_col=max(size.columns, 1), values_only=True)
        head = list(itertools.islice(sheet_rows, HEADER_SEARCH_ROWS))
        header_index = _find_header(head)
        sheet = ParsedSheet()
        by_index = _map_header(sheet, header_index + 1, head[header_index])
        if sheet.errors:  # rows read against a wrong header would only add noise
            return sheet
        data_rows = itertools.chain(head[header_index + 1 :], sheet_rows)
        count = 0
        for number, values in enumerate(data_rows, start=header_index + 2):
            check_deadline(deadline)
            if all(_blank(v) for v in values):
                continue
            count += 1
            if count > max_rows:
                raise WorkbookRefused(
                    413, "import-too-many-rows", "行数过多 Too many rows", f"一次最多导入 {max_rows} 行"
                )
            _parse_row(sheet, number, values, by_index)
    finally:
        book.close()
    if count == 0:
        raise WorkbookRefused(422, "import-empty", "文件没有数据 Empty file", "表头下没有任何任务行")
    return sheet


def _parse_row(sheet: ParsedSheet, number: int, values: Sequence[Any], by_index: dict[int, str]) -> None:
    payload: dict[str, Any] = {}
    unreadable: set[str] = set()
    for index, field_name in by_index.items():
        value = values[index] if index < len(values) else None
        if _blank(value):
            continue
        try:
            payload[field_name] = cell_to_field(BY_FIELD[field_name], value)
        except ValueError as exc:
            sheet.error(number, field_name, str(exc))
            unreadable.add(field_name)
    try:
        task = TaskCreate.model_validate(payload)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else None
            if name not in unreadable:  # already reported with a better message
                sheet.error(number, name, message_of(error))
        return
    if not unreadable:
        sheet.rows.append(ParsedRow(number, task))


BY_FIELD = {c.field: c for c in IMPORT_COLUMNS}


def _style_header(ws: Any, row: int, widths: Sequence[int]) -> None:
    for index, width in enumerate(widths, start=1):
        cell = ws.cell(row=row, column=index)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = width


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_ledger(rows: Iterable[Sequence[Any]], *, title: str) -> bytes:
    """A ledger: a title row, the header row (frozen), then ``rows`` in ``EXPORT_COLUMNS`` order."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "任务台账"
    ws.append([safe_cell(title)])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(EXPORT_COLUMNS))
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.append([c.header for c in EXPORT_COLUMNS])
    _style_header(ws, 2, [c.width for c in EXPORT_COLUMNS])
    ws.freeze_panes = "A3"
    date_columns = [i for i, c in enumerate(EXPORT_COLUMNS, start=1) if c.is_date]
    for values in rows:
        ws.append([safe_cell(v) for v in values])
        for index in date_columns:
            ws.cell(row=ws.max_row, column=index).number_format = "yyyy-mm-dd"
    return _save(book)


def write_template(*, example_deadline: date) -> bytes:
    """The import template: an instructions row, the header row and one example row to overwrite."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "任务清单"
    required = "、".join(c.header for c in IMPORT_COLUMNS if c.required)
    ws.append(
        [
            f"重点工作任务导入模板: 必填列 {required}; 日期用日期单元格或 yyyy-mm-dd; "
            "多个单位代码用逗号或顿号分隔; 请将示例行替换为实际任务"
        ]
    )
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(IMPORT_COLUMNS))
    ws.append([c.header for c in IMPORT_COLUMNS])
    _style_header(ws, 2, [c.width for c in IMPORT_COLUMNS])
    ws.freeze_panes = "A3"
    example = {"deadline": example_deadline}
    ws.append([example.get(c.field, c.example) for c in IMPORT_COLUMNS])
    for index, column in enumerate(IMPORT_COLUMNS, start=1):
        if column.kind == "date":
            ws.cell(row=3, column=index).number_format = "yyyy-mm-dd"
    return _save(book)
