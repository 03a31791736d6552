"""Which rules an event triggers, for which unit, with which basis (计分依据). Plain functions, no I/O.

Each function turns one event's payload into awards; the handler looks up the rule version in force on the
award's day and writes the entry. The unit is the one the event makes responsible: a task's lead unit
(牵头单位), a finding's unit, a rectification's responsible unit, the urged unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from luoshi_kit.timebase import business_date
from luoshi_proto.supervision.v1 import (
    FindingRecorded,
    ListingChanged,
    RectificationRejected,
    RectificationVerified,
    UrgeEscalated,
)
from luoshi_proto.tasking.v1 import (
    TaskAccepted,
    TaskDeadlineAlert,
    TaskExtensionDecided,
    TaskProgressReported,
    TaskStateChanged,
)
from luoshi_scoring.periods import quarter_of
from luoshi_scoring.workdays import working_days_after

TIMELY_ACCEPTANCE_WORKING_DAYS = 2  # 签收: within two working days of assignment counts as timely


@dataclass(frozen=True)
class Award:
    rule_code: str
    org_code: str
    day: date  # the business date it counts for (decides the rule version and the period)
    detail: str  # the occurrence, zh-CN
    quantity: int = 1
    key: str | None = None  # what makes the occurrence unique; default: the event id
    task_id: str | None = None


def _task(title: str, task_id: str) -> str:
    return f"任务「{title}」({task_id})"


def closed(data: TaskStateChanged, completed_on: date | None) -> list[Award]:
    """复核确认销号: on time when the work was done (报请复核, else the close) by the deadline in force."""
    task = data.task
    done = completed_on or business_date(data.at)
    label = _task(task.title, task.task_id)
    when = f"{label} 于 {done} 完成, 时限 {task.deadline}"
    key = f"closed:{task.task_id}"  # a task is closed out once, however often the event arrives
    if done <= task.deadline:
        return [Award("task_closed_on_time", task.lead_unit, done, when, key=key, task_id=task.task_id)]
    awards = [Award("task_closed_late", task.lead_unit, done, when, key=key, task_id=task.task_id)]
    late, provisional = working_days_after(task.deadline, done)
    if late:
        note = " (部分日期按周一至周五估算)" if provisional else ""
        detail = f"{label} 超期 {late} 个工作日{note}"
        awards.append(
            Award("task_overdue_day", task.lead_unit, done, detail, quantity=late, task_id=task.task_id)
        )
    return awards


def overdue(data: TaskDeadlineAlert, at: datetime) -> list[Award]:
    task = data.task
    return [
        Award(
            "task_overdue",
            task.lead_unit,
            business_date(at),
            f"{_task(task.title, task.task_id)} 超过时限 {data.due} 未完成",
            key=f"overdue:{task.task_id}:{data.occurrence}",
            task_id=task.task_id,
        )
    ]


def report_missing(data: TaskDeadlineAlert, at: datetime) -> list[Award]:
    task = data.task
    return [
        Award(
            "report_missing",
            task.lead_unit,
            business_date(at),
            f"{_task(task.title, task.task_id)} 应于 {data.due} 报送落实情况, 未报送",
            key=f"report_missing:{task.task_id}:{data.occurrence}",
            task_id=task.task_id,
        )
    ]


def accepted(data: TaskAccepted, assigned_at: datetime | None) -> list[Award]:
    if assigned_at is None:
        return []
    task, on = data.task, business_date(data.at)
    days, _ = working_days_after(business_date(assigned_at), on)
    if days > TIMELY_ACCEPTANCE_WORKING_DAYS:
        return []
    return [
        Award(
            "acceptance_timely",
            task.lead_unit,
            on,
            f"{_task(task.title, task.task_id)} 交办后 {days} 个工作日内签收",
            key=f"accepted:{task.task_id}",
            task_id=task.task_id,
        )
    ]


def progress_reported(data: TaskProgressReported) -> list[Award]:
    """One feedback counts per task and quarter, however many reports it has."""
    task, on = data.task, business_date(data.at)
    if data.by.org_code != task.lead_unit:
        return []
    return [
        Award(
            "feedback_timely",
            task.lead_unit,
            on,
            f"{_task(task.title, task.task_id)} {quarter_of(on)} 落实反馈 (进度 {data.progress_percent}%)",
            key=f"feedback:{task.task_id}:{quarter_of(on)}",
            task_id=task.task_id,
        )
    ]


def extension_decided(data: TaskExtensionDecided) -> list[Award]:
    if data.decision != "approved":
        return []
    task = data.task
    code = "extension_late" if data.late else "extension_approved"
    when = "超过时限后申请" if data.late else "按时申请"
    return [
        Award(
            code,
            task.lead_unit,
            business_date(data.at),
            f"{_task(task.title, task.task_id)} {when}延期至 {data.requested_deadline}, 已批准",
            key=f"extension:{data.extension_id}",
            task_id=task.task_id,
        )
    ]


def finding(data: FindingRecorded) -> list[Award]:
    f = data.finding
    return [
        Award(
            "finding_recorded",
            f.org_code,
            business_date(data.at),
            f"督查发现问题「{f.title}」({f.finding_id})",
            key=f"finding:{f.finding_id}",
            task_id=f.task_id,
        )
    ]


def verified(data: RectificationVerified) -> list[Award]:
    r = data.rectification
    code = "rectification_verified" if data.on_time else "rectification_verified_late"
    when = "按期" if data.on_time else "逾期"
    return [
        Award(
            code,
            r.responsible_unit,
            business_date(data.at),
            f"整改「{r.title}」({r.rectification_id}) {when}完成并销号, 时限 {r.deadline}",
            key=f"verified:{r.rectification_id}",
            task_id=r.task_id,
        )
    ]


def rejected(data: RectificationRejected) -> list[Award]:
    r = data.rectification
    return [
        Award(
            "rectification_rejected",
            r.responsible_unit,
            business_date(data.at),
            f"整改「{r.title}」({r.rectification_id}) 不到位: {data.reason}",
            task_id=r.task_id,
        )
    ]


def listed(data: ListingChanged) -> list[Award]:
    r = data.rectification
    return [
        Award(
            "listed_supervision",
            r.responsible_unit,
            business_date(data.at),
            f"整改「{r.title}」({r.rectification_id}) 被挂牌督办",
            key=f"listed:{r.rectification_id}",
            task_id=r.task_id,
        )
    ]


def urge_unanswered(data: UrgeEscalated) -> list[Award]:
    u = data.urge
    kind = "督办" if u.kind == "order" else "催办"
    return [
        Award(
            "urge_unanswered",
            u.org_code,
            business_date(data.at),
            f"{kind} {u.urge_id} 未在 {u.answer_due} 前回复",
            key=f"urge:{u.urge_id}",
            task_id=u.task_id,
        )
    ]
