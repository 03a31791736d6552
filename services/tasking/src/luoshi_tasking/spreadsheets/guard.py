"""Looks inside an .xlsx before anything parses it: refuses zip bombs and inflated sheets cheaply.

An .xlsx is a zip of XML parts. openpyxl trusts a sheet's ``<dimension ref="A1:XFD20000">`` and pads
every row up to it, so a 6 KB file can cost minutes. Here, with ``zipfile`` and a regular-expression
scan of the decompressed XML (bounded by the caps), we check the archive (entries, total size,
compression ratio), refuse DTDs (entity expansion), and compare the declared and the real sheet size
(rows, columns, cells) with the caps. Plain functions; they raise ``WorkbookRefused``.
"""

from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from openpyxl.utils import column_index_from_string

from luoshi_tasking.spreadsheets.errors import WorkbookRefused

_CHUNK = 1 << 20
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?\"")
_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"")
_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,3})(\d+)\"")
_ANY_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_ANY_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    max_rows: int = 10_000
    """Sheet rows (header, blank and data rows together); data rows have their own cap."""
    max_columns: int = 64
    max_cells: int = 200_000
    max_entries: int = 500
    max_uncompressed: int = 64 * 1024 * 1024
    max_ratio: int = 100
    """Uncompressed / compressed, for entries over ``ratio_floor`` bytes."""
    ratio_floor: int = 1024 * 1024
    seconds: float = 20.0
    """Time for the whole parse (this check and reading the rows)."""


@dataclass(frozen=True)
class SheetSize:
    rows: int
    columns: int
    cells: int


def _too_large(detail: str) -> WorkbookRefused:
    return WorkbookRefused(413, "import-too-large", "文件过大 Workbook too large", detail)


def _unreadable(detail: str) -> WorkbookRefused:
    return WorkbookRefused(422, "import-unreadable", "无法读取文件 Unreadable workbook", detail)


def check_deadline(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise WorkbookRefused(
            413, "import-too-slow", "文件处理超时 Workbook takes too long", "文件过于复杂, 请拆分后分批导入"
        )


def inspect_workbook(archive: zipfile.ZipFile, limits: Limits, deadline: float) -> SheetSize:
    """The largest real size over the worksheets, once the archive and every sheet passed the caps."""
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise _too_large(f"压缩包内文件过多 ({len(entries)} 个) Too many parts in the archive")
    total = sum(e.file_size for e in entries)
    if total > limits.max_uncompressed:
        raise _too_large(f"解压后超过 {limits.max_uncompressed // (1024 * 1024)} MB Too large when unpacked")
    for entry in entries:
        if entry.file_size > limits.ratio_floor and entry.file_size > limits.max_ratio * max(
            entry.compress_size, 1
        ):
            raise _too_large(f"{entry.filename} 压缩比异常 Suspicious compression ratio (zip bomb)")
    size = SheetSize(0, 0, 0)
    for entry in entries:
        if not entry.filename.endswith((".xml", ".rels", ".vml")):
            continue
        if entry.filename.startswith("xl/worksheets/") and entry.filename.count("/") == 2:
            found = _scan_sheet(archive, entry, limits, deadline)
            size = SheetSize(
                max(size.rows, found.rows), max(size.columns, found.columns), max(size.cells, found.cells)
            )
        else:
            _scan_part(archive, entry, deadline)
    return size


def _chunks(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, deadline: float) -> Iterator[bytes]:
    """Decompressed XML in pieces ending after a ``>``, so no tag is split between two pieces."""
    carry = b""
    with archive.open(entry) as stream:
        while chunk := stream.read(_CHUNK):
            check_deadline(deadline)
            data = carry + chunk
            cut = data.rfind(b">") + 1
            if cut == 0:
                carry = data
                continue
            carry = data[cut:]
            yield data[:cut]
    if carry:
        yield carry


def _scan_part(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, deadline: float) -> None:
    for piece in _chunks(archive, entry, deadline):
        if _DTD.search(piece):
            raise _unreadable(f"{entry.filename} 含 DTD 或实体声明 DTD or entity declaration refused")


def _scan_sheet(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limits: Limits, deadline: float
) -> SheetSize:
    rows = columns = cells = row_tags = 0
    declared_checked = False
    for piece in _chunks(archive, entry, deadline):
        if _DTD.search(piece):
            raise _unreadable(f"{entry.filename} 含 DTD 或实体声明 DTD or entity declaration refused")
        if not declared_checked and (match := _DIMENSION.search(piece)):
            declared_checked = True
            last_col, last_row = match.group(3) or match.group(1), match.group(4) or match.group(2)
            _check(
                ("表格声明的范围", "declares"),
                int(last_row or 0),
                column_index_from_string(last_col.decode()) if last_col else 0,
                limits,
            )
        row_tags += len(_ANY_ROW.findall(piece))  # rows may leave out r="…": count them too
        for number in _ROW.findall(piece):
            rows = max(rows, int(number))
        cells += len(_ANY_CELL.findall(piece))
        for letters, number in _CELL.findall(piece):
            columns = max(columns, column_index_from_string(letters.decode()))
            rows = max(rows, int(number))
        rows = max(rows, row_tags)
        _check(("表格实际", "has"), rows, columns, limits)
        if cells > limits.max_cells:
            raise _too_large(f"单元格过多 (超过 {limits.max_cells} 个) Too many cells")
    return SheetSize(rows, columns, cells)


def _check(what: tuple[str, str], rows: int, columns: int, limits: Limits) -> None:
    zh, en = what
    if rows > limits.max_rows:
        raise _too_large(
            f"{zh}有 {rows} 行, 超过上限 {limits.max_rows} 行 "
            f"The sheet {en} {rows} rows, over {limits.max_rows}"
        )
    if columns > limits.max_columns:
        raise _too_large(
            f"{zh}有 {columns} 列, 超过上限 {limits.max_columns} 列 "
            f"The sheet {en} {columns} columns, over {limits.max_columns}"
        )
