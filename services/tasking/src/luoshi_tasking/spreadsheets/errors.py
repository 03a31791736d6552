"""Why a workbook is refused as a whole (raised by the plain parsing functions, mapped to a Problem)."""

from __future__ import annotations


class WorkbookRefused(Exception):
    """The file as a whole cannot be read: not a workbook, no header, no rows, too large or too slow."""

    def __init__(self, status: int, slug: str, title: str, detail: str):
        super().__init__(detail)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail
