"""How each task event reads on a timeline and what it changes in the task's view (plain functions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

# event type -> (timeline text, state the task is in afterwards or None when unchanged)
TASK_EVENTS: dict[str, tuple[str, str | None]] = {
    "tasking.task.assigned.v1": ("交办 assigned", "assigned"),
    "tasking.task.accepted.v1": ("签收 accepted", "accepted"),
    "tasking.task.returned.v1": ("退回 returned", "returned"),
    "tasking.task.progress_reported.v1": ("落实反馈 progress reported", None),
    "tasking.task.completed.v1": ("完成待复核 completed", "completed"),
    "tasking.task.reopened.v1": ("复核退回 reopened", "accepted"),
    "tasking.task.closed.v1": ("复核确认·销号 closed", "closed"),
    "tasking.task.archived.v1": ("办结归档 archived", "archived"),
    "tasking.task.cancelled.v1": ("撤销 cancelled", "cancelled"),
    "tasking.task.due_soon.v1": ("即将到期提醒 due soon", None),
    "tasking.task.lagging.v1": ("进度滞后预警 lagging", None),
    "tasking.task.overdue.v1": ("超期提醒 overdue", None),
    "tasking.task.report_missing.v1": ("未按时反馈 report missing", None),
}


@dataclass(frozen=True)
class TaskFacts:
    """What every task event tells about the task, whatever its shape."""

    task_id: str
    title: str
    issuing_org: str
    lead_unit: str
    deadline: date
    parent_id: str | None
    co_units: list[str] | None  # only assignment says who the co-units are


def task_facts(data: dict[str, Any]) -> TaskFacts:
    ref = data.get("task", data)
    return TaskFacts(
        task_id=ref["task_id"],
        title=ref["title"],
        issuing_org=ref["issuing_org"],
        lead_unit=ref["lead_unit"],
        deadline=date.fromisoformat(str(ref["deadline"])),
        parent_id=ref.get("parent_id"),
        co_units=data.get("co_units") if "task" not in data else None,
    )


def summary(event_type: str, data: dict[str, Any]) -> str:
    text = TASK_EVENTS.get(event_type, (event_type, None))[0]
    if reason := data.get("reason"):
        text += f": {reason}"
    if event_type == "tasking.task.progress_reported.v1":
        text += f" {data.get('progress_percent', 0)}% — {data.get('progress', '')}"
    if "colour" in data:
        text += f" ({data['colour']}, 序时进度 {data.get('expected_percent')}%)"
    return text


def actor_of(data: dict[str, Any]) -> str | None:
    by = data.get("by")
    return by.get("person_id") if isinstance(by, dict) else data.get("assigned_by")
