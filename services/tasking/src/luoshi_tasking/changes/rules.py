"""Rules of task changes (任务变更) and deadline extensions (延期申请), as plain functions.

Changes: the issuer edits any field of an open task with a reason; each changed field is traced
with its value before and after. A new deadline may not lie in the past. Changing the lead unit
is a reassignment: the task goes back to ``assigned`` and the new unit signs for it again.
A deadline the issuer corrects this way is not an extension: ``original_deadline`` and
``extension_count`` stay as they are (the change is in the trace and in tasking.task.updated.v1).

Extensions: the lead unit of a task in work asks for a later date with a reason; one request may
be pending at a time, and a task may have at most ``max_extensions`` approved (deadline settings,
default 2). A request made after the deadline has passed is allowed and marked ``late``. The
calendar tells how many working days the new date adds. Approval moves ``deadline`` (which the
colours, the deadline engine and the ledger follow) and counts one more extension; the original
deadline stays on the task for assessment.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from luoshi_kit.errors import Problem
from luoshi_tasking.calendar.rules import WorkCalendar

NOT_NULL = frozenset(
    {
        "title",
        "description",
        "lead_unit",
        "co_units",
        "deadline",
        "required_progress",
        "measures",
        "report_due_dates",
    }
)


def as_value(value: Any) -> str | int | list[str] | None:
    """A field's value as the trace and the event carry it (dates as ISO strings)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [v.isoformat() if isinstance(v, date) else str(v) for v in value]
    return value


def diff(current: dict[str, Any], wanted: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields whose wanted value differs from the current one, as {field, before, after}."""
    out = []
    for name, value in wanted.items():
        before, after = as_value(current.get(name)), as_value(value)
        if before != after:
            out.append({"field": name, "before": before, "after": after})
    return out


def check_future_deadline(deadline: date, today: date) -> None:
    if deadline < today:
        raise Problem(
            422,
            "deadline-in-past",
            "完成时限不能早于今天 Deadline in the past",
            f"新的完成时限 {deadline} 早于今天 {today}; 请选择今天或以后的日期",
        )


def working_days_added(cal: WorkCalendar, current: date, requested: date) -> int:
    """Working days after ``current`` up to and including ``requested``."""
    if requested <= current:
        return 0
    return cal.workdays_in(current + timedelta(days=1), requested)


def is_late(today: date, deadline: date) -> bool:
    return today > deadline


def check_extension(*, current: date, requested: date, today: date, approved: int, limit: int) -> None:
    """422 for a date that extends nothing or lies in the past; 409 once the limit is reached."""
    if approved >= limit:
        raise Problem(
            409,
            "extension-limit",
            "延期次数已达上限 Extension limit reached",
            f"此任务已批准延期 {approved} 次, 每项任务最多 {limit} 次",
            limit=limit,
            approved=approved,
        )
    if requested <= current:
        raise Problem(
            422,
            "extension-not-later",
            "申请日期须晚于现行完成时限 Not later than the deadline",
            f"申请延至 {requested}, 现行完成时限为 {current}",
        )
    if requested < today:
        raise Problem(
            422,
            "deadline-in-past",
            "申请日期不能早于今天 Requested date in the past",
            f"申请延至 {requested} 早于今天 {today}",
        )
