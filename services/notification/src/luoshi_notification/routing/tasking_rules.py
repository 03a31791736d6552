"""Who hears the tasking service's events (任务, 重要文件)."""

from __future__ import annotations

from typing import Any

from luoshi_notification.routing.rules import Rule, hear, nobody
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.tasking.v1 import TaskUpdated

HANDLER, OFFICE = ("handler",), ("office",)


def lead(event: CloudEvent[Any]) -> list[str]:
    return [event.data.task.lead_unit]


def lead_and_co(event: CloudEvent[Any]) -> list[str]:
    task = event.data.task
    return [task.lead_unit, *task.co_units]


def issuer(event: CloudEvent[Any]) -> list[str]:
    return [event.data.task.issuing_org]


def lead_and_previous(event: CloudEvent[Any]) -> list[str]:
    """The lead unit and, when the change moved the task away from it, the former lead unit."""
    data = event.data
    former = []
    if isinstance(data, TaskUpdated):
        former = [str(c.before) for c in data.changes if c.field == "lead_unit" and c.before]
    return [data.task.lead_unit, *(f for f in former if f != data.task.lead_unit)]


def studying_unit(event: CloudEvent[Any]) -> list[str]:
    return [event.data.document.org_code]


DEADLINE = "完成时限 {task.deadline}"

TASK_RULES: dict[str, Rule] = {
    "tasking.task.assigned.v1": Rule("新交办任务: {task.title}", (hear(HANDLER, lead_and_co),), DEADLINE),
    "tasking.task.accepted.v1": Rule("任务已签收: {task.title}", (hear(OFFICE, issuer),), DEADLINE),
    "tasking.task.returned.v1": Rule(
        "任务被退回: {task.title} — {reason}", (hear(("office", "deputy"), issuer),), DEADLINE
    ),
    "tasking.task.progress_reported.v1": Rule(
        "落实反馈: {task.title} (进度 {progress_percent}%)", (hear(OFFICE, issuer),), "存在问题: {problems}"
    ),
    "tasking.task.completed.v1": Rule("任务待复核确认: {task.title}", (hear(OFFICE, issuer),), DEADLINE),
    "tasking.task.reopened.v1": Rule(
        "复核未通过, 请继续落实: {task.title} — {reason}", (hear(HANDLER, lead),), DEADLINE
    ),
    "tasking.task.closed.v1": Rule("任务已销号: {task.title}", (hear(HANDLER, lead),), DEADLINE),
    "tasking.task.archived.v1": Rule("任务已办结归档: {task.title}", (hear(HANDLER, lead),)),
    "tasking.task.cancelled.v1": Rule("任务已撤销: {task.title}", (hear(HANDLER, lead_and_co),)),
    "tasking.task.due_soon.v1": Rule(
        "即将到期 (剩 {working_days_left} 个工作日): {task.title}", (hear(HANDLER, lead),), DEADLINE
    ),
    "tasking.task.lagging.v1": Rule(
        "进度滞后预警: {task.title} (进度 {progress_percent}%, 序时进度 {expected_percent}%)",
        (hear(("handler", "deputy"), lead),),
        DEADLINE,
    ),
    "tasking.task.overdue.v1": Rule(
        "任务超期: {task.title} — 请主要负责同志牵头整改, 报送超期原因和赶进度计划",
        (hear(("principal", "deputy", "handler"), lead),),
        DEADLINE,
        urgent=True,
    ),
    "tasking.task.report_missing.v1": Rule(
        "未按时报送落实反馈: {task.title} (应于 {due} 前)", (hear(HANDLER, lead),), DEADLINE
    ),
    "tasking.task.updated.v1": Rule(
        "任务已变更: {task.title} — {reason}", (hear(HANDLER, lead_and_previous),), DEADLINE
    ),
    "tasking.task.extension_requested.v1": Rule(
        "延期申请待审批: {task.title} (申请延至 {requested_deadline}, 延长 {working_days_added} 个工作日)",
        (hear(OFFICE, issuer),),
        DEADLINE,
    ),
    "tasking.task.extension_decided.v1": Rule(
        "延期申请审批结果 ({decision}): {task.title}, 现行完成时限 {task.deadline}", (hear(HANDLER, lead),)
    ),
    "tasking.task.deadline_extended.v1": Rule(
        "完成时限已延至 {task.deadline}: {task.title}", (hear(HANDLER, lead_and_co),)
    ),
    "tasking.task.co_unit_confirmed.v1": Rule("协办单位已确认: {task.title}", (hear(HANDLER, lead),)),
    "tasking.ledger.entry_recorded.v1": nobody("台账记录是牵头单位自己的操作, 无需通知"),
    "tasking.task.progress_rolled_up.v1": nobody("进度汇总随下级落实反馈而来, 交办方已收到那条反馈的通知"),
    # Document alerts reach the organisation that studies the document.
    "tasking.document.study_due.v1": Rule(
        "今日应完成学习解读: {document.title}", (hear(("office", "deputy"), studying_unit),), "时限 {due}"
    ),
    "tasking.document.study_overdue.v1": Rule(
        "学习解读已超期: {document.title}", (hear(("office", "deputy"), studying_unit),), "时限 {due}"
    ),
    "tasking.document.report_overdue.v1": Rule(
        "学习解读报告已超期: {document.title}", (hear(("office", "deputy"), studying_unit),), "时限 {due}"
    ),
}
