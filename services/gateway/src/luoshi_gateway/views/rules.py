"""How each task event reads on a timeline and what it changes in the task's view (plain functions)."""

from __future__ import annotations

from luoshi_proto.tasking.v1 import (
    Actor,
    TaskCoUnitConfirmed,
    TaskDeadlineAlert,
    TaskDeadlineExtended,
    TaskEvent,
    TaskExtensionDecided,
    TaskExtensionRequested,
    TaskProgressReported,
    TaskProgressRolledUp,
    TaskUpdated,
)

# event type -> (timeline text, state the task is in afterwards or None when unchanged)
TASK_EVENTS: dict[str, tuple[str, str | None]] = {
    "tasking.task.assigned.v1": ("交办 assigned", "assigned"),
    "tasking.task.accepted.v1": ("签收 accepted", "accepted"),
    "tasking.task.returned.v1": ("退回 returned", "returned"),
    "tasking.task.progress_reported.v1": ("落实反馈 progress reported", None),
    "tasking.task.progress_rolled_up.v1": ("进度汇总 progress rolled up from subtasks", None),
    "tasking.task.completed.v1": ("完成待复核 completed", "completed"),
    "tasking.task.reopened.v1": ("复核退回 reopened", "accepted"),
    "tasking.task.closed.v1": ("复核确认·销号 closed", "closed"),
    "tasking.task.archived.v1": ("办结归档 archived", "archived"),
    "tasking.task.cancelled.v1": ("撤销 cancelled", "cancelled"),
    "tasking.task.due_soon.v1": ("即将到期提醒 due soon", None),
    "tasking.task.lagging.v1": ("进度滞后预警 lagging", None),
    "tasking.task.overdue.v1": ("超期提醒 overdue", None),
    "tasking.task.report_missing.v1": ("未按时反馈 report missing", None),
    "tasking.task.updated.v1": ("任务变更 updated", None),
    "tasking.task.extension_requested.v1": ("延期申请 extension requested", None),
    "tasking.task.extension_decided.v1": ("延期审批 extension decided", None),
    "tasking.task.deadline_extended.v1": ("完成时限延期 deadline extended", None),
    "tasking.task.co_unit_confirmed.v1": ("协办确认 co-unit confirmed", None),
}
DECISIONS = {"approved": "同意", "rejected": "不同意"}


def summary(event_type: str, data: TaskEvent) -> str:
    """How the event reads on a timeline."""
    text = TASK_EVENTS.get(event_type, (event_type, None))[0]
    if reason := getattr(data, "reason", None):
        text += f": {reason}"
    if isinstance(data, TaskProgressReported):
        text += f" {data.progress_percent}% — {data.progress}"
    if isinstance(data, TaskProgressRolledUp):
        text += f" {data.previous_percent}% → {data.progress_percent}%"
    if isinstance(data, TaskDeadlineAlert):
        text += f" ({data.colour}, 序时进度 {data.expected_percent}%)"
    if isinstance(data, TaskUpdated):
        text += " — " + "; ".join(f"{c.field}: {c.before} → {c.after}" for c in data.changes)
    if isinstance(data, TaskExtensionRequested):
        late = ", 逾期后申请" if data.late else ""
        text += f" — 申请延至 {data.requested_deadline} (+{data.working_days_added} 个工作日{late})"
    if isinstance(data, TaskExtensionDecided):
        text += f" — {DECISIONS[data.decision]}延至 {data.requested_deadline}"
        if data.comment:
            text += f": {data.comment}"
    if isinstance(data, TaskDeadlineExtended):
        text += (
            f" — {data.previous_deadline} → {data.task.deadline} (第 {data.task.extension_count} 次, "
            f"原定 {data.task.original_deadline or data.previous_deadline})"
        )
    if isinstance(data, TaskCoUnitConfirmed):
        text += f" — {data.org_code}"
    return text


def actor_of(data: TaskEvent) -> str | None:
    """Who took the step; None for what the system raised (deadline alerts)."""
    by: Actor | None = getattr(data, "by", None)
    return by.person_id if by else None
