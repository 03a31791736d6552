"""Which spreadsheet column is which task field, and how a cell becomes a field value and back.

Import columns map to ``TaskCreate`` fields (only those the model has, so the rules stay the API's);
export adds read-only columns (state, progress, last report …) that an import ignores, so an
exported ledger can be edited and imported again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic_core import ErrorDetails

from luoshi_kit.timebase import BUSINESS_TZ
from luoshi_tasking.tasks.schemas import TaskCreate

Kind = Literal["text", "codes", "date", "dates"]
LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


@dataclass(frozen=True)
class ImportColumn:
    header: str
    field: str
    kind: Kind = "text"
    required: bool = False
    width: int = 16
    example: Any = None


_ALL_IMPORT_COLUMNS = (
    ImportColumn("任务名称", "title", required=True, width=30, example="推进大数据战略行动"),
    ImportColumn("任务内容", "description", width=40, example="建设省级政务数据共享平台, 年底前上线"),
    ImportColumn("来源", "source", width=24, example="省政府常务会议"),
    ImportColumn("来源层级", "source_level", width=10, example="省政府"),
    ImportColumn("文号", "source_ref", width=18, example="黔府发〔2026〕1号"),
    ImportColumn("类别", "category", width=14, example="现代基础设施"),
    ImportColumn("牵头单位代码", "lead_unit", "text", required=True, width=18, example="520102000000"),
    ImportColumn("协办单位代码", "co_units", "codes", width=28, example="520103000000、520111000000"),
    ImportColumn("开始日期", "start_date", "date", width=12),
    ImportColumn("完成时限", "deadline", "date", required=True, width=12),
    ImportColumn("工作进度要求", "required_progress", width=30, example="每季度完成 25%"),
    ImportColumn("工作措施", "measures", width=40, example="周调度、月自查、季汇总"),
    ImportColumn("反馈时限", "report_due_dates", "dates", width=24),
)
IMPORT_COLUMNS = tuple(c for c in _ALL_IMPORT_COLUMNS if c.field in TaskCreate.model_fields)
BY_HEADER = {c.header: c for c in IMPORT_COLUMNS}
TITLE_HEADER = "任务名称"

STATE_LABELS = {
    "assigned": "已交办",
    "accepted": "已签收",
    "returned": "已退回",
    "in_progress": "推进中",
    "completed": "已完成待复核",
    "closed": "已销号",
    "archived": "已办结归档",
    "cancelled": "已撤销",
}


def _local(moment: datetime | None) -> str:
    return moment.astimezone(BUSINESS_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""


@dataclass(frozen=True)
class ExportColumn:
    header: str
    width: int
    value: Callable[[Any, dict[str, str]], Any]
    is_date: bool = False


def _field(column: ImportColumn) -> ExportColumn:
    def value(task: Any, names: dict[str, str]) -> Any:
        raw = getattr(task, column.field)
        if column.kind == "codes":
            return "、".join(raw or [])
        if column.kind == "dates":
            return "、".join(str(d) for d in raw or [])
        return raw

    return ExportColumn(column.header, column.width, value, is_date=column.kind == "date")


EXPORT_ONLY_HEADERS = (
    "序号",
    "任务编号",
    "交办单位代码",
    "牵头单位",
    "协办单位",
    "状态",
    "进度(%)",
    "最近反馈",
)
EXPORT_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("任务编号", 38, lambda t, n: t.id),
    *(_field(c) for c in IMPORT_COLUMNS),
    ExportColumn("交办单位代码", 18, lambda t, n: t.issuing_org),
    ExportColumn("牵头单位", 20, lambda t, n: n.get(t.lead_unit, "")),
    ExportColumn("协办单位", 28, lambda t, n: "、".join(n.get(c, c) for c in t.co_units or [])),
    ExportColumn("状态", 12, lambda t, n: STATE_LABELS.get(t.state, t.state)),
    ExportColumn("进度(%)", 8, lambda t, n: t.progress_percent),
    ExportColumn("最近反馈", 18, lambda t, n: _local(t.last_report_at)),
)


EXPORT_COLUMNS = (ExportColumn("序号", 6, lambda t, n: None), *EXPORT_COLUMNS)


def ledger_row(number: int, task: Any, org_names: dict[str, str]) -> list[Any]:
    return [number, *(column.value(task, org_names) for column in EXPORT_COLUMNS[1:])]


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        for fmt in DATE_FORMATS:
            try:
                return datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                continue
    raise ValueError(f"日期无效: {value!r} (请使用日期单元格或 yyyy-mm-dd 文本)")


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed into a number cell
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def cell_to_field(column: ImportColumn, value: Any) -> Any:
    """The field value of a non-empty cell; ValueError with a Chinese message when it cannot be one."""
    if column.kind == "date":
        return parse_date(value)
    if column.kind == "codes":
        return [part for part in LIST_SEPARATORS.split(_text(value)) if part]
    if column.kind == "dates":
        if isinstance(value, (date, datetime)):
            return [parse_date(value)]
        return [parse_date(part) for part in LIST_SEPARATORS.split(_text(value)) if part]
    return _text(value)


_MESSAGES = {
    "missing": "必填",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "代码格式无效 (应为 12 位区划代码, 部门加 D 和两位数字)",
    "date_from_datetime_inexact": "日期无效",
    "date_parsing": "日期无效",
    "date_type": "日期无效",
    "list_type": "应为以逗号或顿号分隔的列表",
}


def message_of(error: ErrorDetails) -> str:
    """A Chinese message for a pydantic error (the model's own ValueError texts are Chinese already)."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "string_too_long":
        return f"过长 (最多 {ctx.get('max_length')} 字)"
    if kind == "too_long":
        return f"过多 (最多 {ctx.get('max_length')} 项)"
    if kind == "literal_error":
        return f"取值无效, 应为: {ctx.get('expected')}"
    return _MESSAGES.get(kind, error["msg"])
