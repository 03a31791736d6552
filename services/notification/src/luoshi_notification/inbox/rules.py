"""Who hears about which event, and how it reads in their inbox (plain data and functions).

The escalation follows the seed: a lagging task warns the handler and, through them, the deputy
(分管负责同志); an overdue task reaches the principal (主要负责同志), who must lead the rectification
and file the reason and a catch-up plan.

A title is a ``str.format`` template over the payload's fields, e.g. ``{task.title}`` or ``{reason}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from luoshi_proto.gateway.v1 import Role
from luoshi_proto.tasking.v1 import TaskRef, TaskUpdated

# "lead": the lead unit; "lead_and_co": the lead unit and the co-units; "issuer": the issuing organisation;
# "lead_and_previous": the lead unit and, when the change moved the task away from it, the former lead unit.
TaskAudience = Literal["lead", "lead_and_co", "issuer", "lead_and_previous"]


@dataclass(frozen=True)
class Rule:
    roles: tuple[Role, ...]
    title: str
    audience: TaskAudience = "lead"


TASK_RULES: dict[str, Rule] = {
    "tasking.task.assigned.v1": Rule(("handler",), "新交办任务: {task.title}", "lead_and_co"),
    "tasking.task.accepted.v1": Rule(("office",), "任务已签收: {task.title}", "issuer"),
    "tasking.task.returned.v1": Rule(("office", "deputy"), "任务被退回: {task.title} — {reason}", "issuer"),
    "tasking.task.completed.v1": Rule(("office",), "任务待复核确认: {task.title}", "issuer"),
    "tasking.task.reopened.v1": Rule(("handler",), "复核未通过, 请继续落实: {task.title} — {reason}"),
    "tasking.task.closed.v1": Rule(("handler",), "任务已销号: {task.title}"),
    "tasking.task.due_soon.v1": Rule(
        ("handler",), "即将到期 (剩 {working_days_left} 个工作日): {task.title}"
    ),
    "tasking.task.lagging.v1": Rule(
        ("handler", "deputy"),
        "进度滞后预警: {task.title} (进度 {progress_percent}%, 序时进度 {expected_percent}%)",
    ),
    "tasking.task.overdue.v1": Rule(
        ("principal", "deputy", "handler"),
        "任务超期: {task.title} — 请主要负责同志牵头整改, 报送超期原因和赶进度计划",
    ),
    "tasking.task.report_missing.v1": Rule(("handler",), "未按时报送落实反馈: {task.title} (应于 {due} 前)"),
    "tasking.task.updated.v1": Rule(("handler",), "任务已变更: {task.title} — {reason}", "lead_and_previous"),
    "tasking.task.extension_requested.v1": Rule(
        ("office",),
        "延期申请待审批: {task.title} (申请延至 {requested_deadline}, 延长 {working_days_added} 个工作日)",
        "issuer",
    ),
    "tasking.task.extension_decided.v1": Rule(
        ("handler",), "延期申请审批结果 ({decision}): {task.title}, 现行完成时限 {task.deadline}"
    ),
}

# Document alerts reach the organisation that studies the document.
DOCUMENT_RULES: dict[str, Rule] = {
    "tasking.document.study_due.v1": Rule(("office", "deputy"), "今日应完成学习解读: {document.title}"),
    "tasking.document.study_overdue.v1": Rule(("office", "deputy"), "学习解读已超期: {document.title}"),
    "tasking.document.report_overdue.v1": Rule(("office", "deputy"), "学习解读报告已超期: {document.title}"),
}


def task_audience(audience: TaskAudience, task: TaskRef, data: BaseModel | None = None) -> list[str]:
    if audience == "issuer":
        return [task.issuing_org]
    if audience == "lead_and_co":
        return [task.lead_unit, *task.co_units]
    if audience == "lead_and_previous" and isinstance(data, TaskUpdated):
        former = [str(c.before) for c in data.changes if c.field == "lead_unit" and c.before]
        return [task.lead_unit, *(f for f in former if f != task.lead_unit)]
    return [task.lead_unit]


def title_of(rule: Rule, data: BaseModel) -> str:
    return rule.title.format(**dict(data))[:300]
