"""How each task event reads on a timeline and what it changes in the task's view (plain functions)."""

from __future__ import annotations

from luoshi_proto.tasking.v1 import Actor, TaskDeadlineAlert, TaskEvent, TaskProgressReported

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


def summary(event_type: str, data: TaskEvent) -> str:
    """How the event reads on a timeline."""
    text = TASK_EVENTS.get(event_type, (event_type, None))[0]
    if reason := getattr(data, "reason", None):
        text += f": {reason}"
    if isinstance(data, TaskProgressReported):
        text += f" {data.progress_percent}% — {data.progress}"
    if isinstance(data, TaskDeadlineAlert):
        text += f" ({data.colour}, 序时进度 {data.expected_percent}%)"
    return text


def actor_of(data: TaskEvent) -> str | None:
    """Who took the step; None for what the system raised (deadline alerts)."""
    by: Actor | None = getattr(data, "by", None)
    return by.person_id if by else None
