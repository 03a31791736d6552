"""Who hears about which event, and how it reads in their inbox (plain data and functions).

The escalation follows the seed: a lagging task warns the handler and, through them, the deputy
(分管负责同志); an overdue task reaches the principal (主要负责同志), who must lead the rectification
and file the reason and a catch-up plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rule:
    # "lead": the lead unit (and the co-units named on assignment); "issuer": the issuing org;
    # "org": the organisation the event is about (its orgcode).
    side: str
    roles: tuple[str, ...]
    title: str  # str.format(**facts)


RULES: dict[str, Rule] = {
    "tasking.task.assigned.v1": Rule("lead", ("handler",), "新交办任务: {title}"),
    "tasking.task.accepted.v1": Rule("issuer", ("office",), "任务已签收: {title}"),
    "tasking.task.returned.v1": Rule("issuer", ("office", "deputy"), "任务被退回: {title} — {reason}"),
    "tasking.task.completed.v1": Rule("issuer", ("office",), "任务待复核确认: {title}"),
    "tasking.task.reopened.v1": Rule("lead", ("handler",), "复核未通过, 请继续落实: {title} — {reason}"),
    "tasking.task.closed.v1": Rule("lead", ("handler",), "任务已销号: {title}"),
    "tasking.task.due_soon.v1": Rule(
        "lead", ("handler",), "即将到期 (剩 {working_days_left} 个工作日): {title}"
    ),
    "tasking.task.lagging.v1": Rule(
        "lead",
        ("handler", "deputy"),
        "进度滞后预警: {title} (进度 {progress_percent}%, 序时进度 {expected_percent}%)",
    ),
    "tasking.task.overdue.v1": Rule(
        "lead",
        ("principal", "deputy", "handler"),
        "任务超期: {title} — 请主要负责同志牵头整改, 报送超期原因和赶进度计划",
    ),
    "tasking.task.report_missing.v1": Rule(
        "lead", ("handler",), "未按时报送落实反馈: {title} (应于 {occurrence} 前)"
    ),
    "tasking.document.study_due.v1": Rule("org", ("office", "deputy"), "今日应完成学习解读: {title}"),
    "tasking.document.study_overdue.v1": Rule("org", ("office", "deputy"), "学习解读已超期: {title}"),
    "tasking.document.report_overdue.v1": Rule("org", ("office", "deputy"), "学习解读报告已超期: {title}"),
}


def facts(data: dict[str, Any]) -> dict[str, Any]:
    """The event's fields, with the task's own fields lifted to the top level."""
    return {**data, **data.get("task", {})}


def recipient_units(rule: Rule, data: dict[str, Any], orgcode: str) -> list[str]:
    task = facts(data)
    if rule.side == "issuer":
        return [task["issuing_org"]]
    if rule.side == "org":
        return [orgcode]
    return [task["lead_unit"], *task.get("co_units", [])]


def title_of(rule: Rule, data: dict[str, Any]) -> str:
    values = facts(data)
    values.setdefault("reason", "")
    return rule.title.format(**values)[:300]
