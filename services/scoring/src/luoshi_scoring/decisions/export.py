"""The accountability decisions as a workbook: the basis for cadre evaluation (干部考核评价依据)."""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO

from openpyxl import Workbook

from luoshi_kit.timebase import business_date
from luoshi_scoring.decisions.models import AccountabilityDecision

HEADERS = (
    "决定编号",
    "单位代码",
    "单位",
    "问责对象",
    "职务",
    "问题编号",
    "问责依据",
    "问责决定",
    "公开曝光",
    "决定日期",
)


def _cell(value: str) -> str:
    """A leading = + - @ would make a spreadsheet evaluate the text as a formula (CSV/formula injection)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def workbook(decisions: Iterable[AccountabilityDecision], names: dict[str, str]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "问责决定"
    sheet.append(HEADERS)
    for d in decisions:
        for person in d.persons or [{"name": "", "position": ""}]:
            sheet.append(
                [
                    d.id,
                    d.org_code,
                    _cell(names.get(d.org_code, "")),
                    _cell(person.get("name", "")),
                    _cell(person.get("position", "")),
                    _cell(d.finding_id or ""),
                    _cell(d.basis),
                    _cell(d.decision),
                    "是" if d.public else "否",
                    business_date(d.decided_at).isoformat(),
                ]
            )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
