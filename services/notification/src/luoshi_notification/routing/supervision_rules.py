"""Who hears the supervision service's events (督查, 整改, 挂牌督办, 催办/督办, 线索, 通报)."""

from __future__ import annotations

from typing import Any

from luoshi_notification.routing.rules import Roles, Rule, hear
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.supervision.v1 import UrgeEvent, UrgeIssued

LEADERS: Roles = ("principal", "office")
CHAIN: Roles = ("principal", "deputy", "handler")


def targets(event: CloudEvent[Any]) -> list[str]:
    return list(event.data.inspection.target_orgs)


def announced_targets(event: CloudEvent[Any]) -> list[str]:
    return [] if event.data.inspection.unannounced else targets(event)


def inspecting_office(event: CloudEvent[Any]) -> list[str]:
    return [event.data.inspection.inspecting_org]


def unannounced_office(event: CloudEvent[Any]) -> list[str]:
    """An unannounced inspection is planned in secret: only the inspecting office hears of it."""
    return inspecting_office(event) if event.data.inspection.unannounced else []


def finding_unit(event: CloudEvent[Any]) -> list[str]:
    return [event.data.finding.org_code]


def responsible(event: CloudEvent[Any]) -> list[str]:
    return [event.data.rectification.responsible_unit]


def rectification_office(event: CloudEvent[Any]) -> list[str]:
    return [event.data.rectification.inspecting_org]


def urged_unit(event: CloudEvent[Any]) -> list[str]:
    """The unit urged, unless the step reached the superior office (上级督查室): the issuing office."""
    urge = event.data.urge
    return [] if urge.recipient_role == "office" else [urge.org_code]


def urging_office(event: CloudEvent[Any]) -> list[str]:
    return [event.data.urge.issuing_org]


def escalated_office(event: CloudEvent[Any]) -> list[str]:
    urge = event.data.urge
    return [urge.issuing_org] if urge.recipient_role == "office" else []


def urge_role(data: UrgeEvent) -> Roles:
    return (data.urge.recipient_role,)


def urge_title(data: UrgeIssued) -> str:
    label = "督办" if data.urge.kind == "order" else "催办"
    return f"{label}: {data.message} (请于 {data.urge.answer_due} 前说明原因和赶进度计划)"


def is_order(data: UrgeEvent) -> bool:
    return data.urge.kind == "order"


def clue_office(event: CloudEvent[Any]) -> list[str]:
    return [event.orgcode]


def named_units(event: CloudEvent[Any]) -> list[str]:
    return list(event.data.notice.org_codes)


PLANNED = "{inspection.planned_start} 至 {inspection.planned_end}"
RECTIFY_BY = "整改时限 {rectification.deadline}"

SUPERVISION_RULES: dict[str, Rule] = {
    "supervision.inspection.scheduled.v1": Rule(
        "督查安排: {inspection.title}",
        (hear(LEADERS, announced_targets), hear(("office", "inspector"), unannounced_office)),
        PLANNED,
    ),
    "supervision.inspection.conducted.v1": Rule(
        "已实施督查: {inspection.title}", (hear(LEADERS, targets),), "实施日期 {conducted_on}"
    ),
    "supervision.inspection.reported.v1": Rule(
        "督查报告已形成: {inspection.title} (发现问题 {findings} 个)", (hear(LEADERS, targets),)
    ),
    "supervision.finding.recorded.v1": Rule("督查发现问题: {finding.title}", (hear(LEADERS, finding_unit),)),
    "supervision.rectification.ordered.v1": Rule(
        "整改通知: {rectification.title}",
        (hear(CHAIN, responsible),),
        "整改要求: {requirements}; " + RECTIFY_BY,
    ),
    "supervision.rectification.reported.v1": Rule(
        "整改情况报告: {rectification.title}", (hear(("office",), rectification_office),), "{progress}"
    ),
    "supervision.rectification.verified.v1": Rule(
        "整改已销号: {rectification.title}", (hear(("principal", "handler"), responsible),)
    ),
    "supervision.rectification.rejected.v1": Rule(
        "整改不到位: {rectification.title} — {reason}", (hear(CHAIN, responsible),), RECTIFY_BY
    ),
    "supervision.rectification.overdue.v1": Rule(
        "整改超期 {working_days_overdue} 个工作日: {rectification.title}",
        (hear(("principal", "deputy"), responsible), hear(("office",), rectification_office)),
        RECTIFY_BY,
        urgent=True,
    ),
    "supervision.listing.placed.v1": Rule(
        "挂牌督办: {rectification.title}",
        (hear(("principal", "deputy"), responsible),),
        RECTIFY_BY,
        urgent=True,
    ),
    "supervision.listing.lifted.v1": Rule(
        "挂牌督办已摘牌: {rectification.title}", (hear(("principal", "deputy"), responsible),)
    ),
    "supervision.urge.issued.v1": Rule(
        urge_title, (hear(urge_role, urged_unit), hear(("office",), escalated_office)), urgent=is_order
    ),
    "supervision.urge.answered.v1": Rule(
        "催办已答复: {reason}", (hear(("office",), urging_office),), "赶进度计划: {plan}"
    ),
    "supervision.urge.escalated.v1": Rule(
        "催办逾期未答复, 已提级至您: 请于 {urge.answer_due} 前说明原因和赶进度计划",
        (hear(urge_role, urged_unit), hear(("office",), escalated_office)),
        urgent=True,
    ),
    "supervision.clue.received.v1": Rule(
        "收到群众线索 {clue.receipt_no} ({clue.category})", (hear(("office",), clue_office),)
    ),
    "supervision.clue.triaged.v1": Rule(
        "线索 {clue.receipt_no} 已处理 ({outcome})", (hear(("office",), clue_office),)
    ),
    "supervision.notice.published.v1": Rule("通报: {notice.title}", (hear(LEADERS, named_units),)),
}
