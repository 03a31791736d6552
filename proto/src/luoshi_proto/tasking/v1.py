"""Events the tasking service publishes about key tasks (重点工作任务) and important documents.

Every payload has one shape (docs/conventions.md, "Events"): the entity it is about as a nested reference
(``task: TaskRef``, ``document: ...``), then who acted (``by: Actor``, absent when the system itself
raised it, e.g. a deadline alert) and when (``at``), then what is particular to the event.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from luoshi_proto.divisions import CODE_PATTERN

Colour = Literal["green", "yellow", "red"]


class TaskRef(BaseModel):
    """What every task event carries, so a consumer needs no call back to tasking."""

    task_id: str
    title: str
    issuing_org: str = Field(pattern=CODE_PATTERN, description="交办单位")
    lead_unit: str = Field(pattern=CODE_PATTERN, description="牵头单位")
    co_units: list[str] = Field(default_factory=list, description="协办单位")
    parent_id: str | None = Field(default=None, description="上级任务 (分解来源)")
    deadline: date = Field(description="完成时限 in force (an approved extension moves it), Asia/Shanghai")
    original_deadline: date | None = Field(
        default=None, description="最初交办的完成时限 (kept for assessment; absent: same as deadline)"
    )
    extension_count: int = Field(default=0, ge=0, description="已批准的延期次数")


class Actor(BaseModel):
    person_id: str
    org_code: str = Field(pattern=CODE_PATTERN)


class TaskEvent(BaseModel):
    """What every task event carries: the task it is about. Consumers of many task events take this."""

    task: TaskRef


class TaskAssigned(TaskEvent):
    """tasking.task.assigned.v1 — a task was assigned (交办) to a lead unit (牵头单位) and its co-units."""

    by: Actor
    at: datetime


class TaskAccepted(TaskEvent):
    """tasking.task.accepted.v1 — the lead unit signed for the task (签收)."""

    by: Actor
    at: datetime
    lagging: bool | None = Field(
        default=None,
        description="签收时已滞后于序时进度 (its start lies in the past: yellow, as the task list shows it); "
        "absent in older events",
    )


class TaskReturned(TaskEvent):
    """tasking.task.returned.v1 — the lead unit returned the task with a reason (退回)."""

    by: Actor
    at: datetime
    reason: str


class TaskProgressReported(TaskEvent):
    """tasking.task.progress_reported.v1 — a progress report (落实反馈)."""

    by: Actor
    at: datetime
    report_id: str
    progress_percent: int = Field(ge=0, le=100)
    progress: str = Field(description="工作进展")
    problems: str = Field(description="存在问题")
    measures: str = Field(description="下步措施或建议")
    lagging: bool | None = Field(
        default=None,
        description="反馈后仍滞后于序时进度 (yellow, as the task list shows it); absent in older events",
    )


class TaskStateChanged(TaskEvent):
    """tasking.task.completed.v1 / closed.v1 / archived.v1 / reopened.v1 / cancelled.v1 — lifecycle steps
    (完成 / 复核确认销号 / 办结归档 / 复核退回 / 撤销)."""

    by: Actor
    at: datetime
    from_state: str
    to_state: str
    reason: str | None = None


class FieldChange(BaseModel):
    """One changed field of a task: its value before and after (dates as ISO strings)."""

    field: str
    before: str | int | list[str] | None
    after: str | int | list[str] | None


class TaskProgressRolledUp(TaskEvent):
    """tasking.task.progress_rolled_up.v1 — a parent task's progress, recomputed from its subtasks after
    one of them changed (进度汇总: the plain mean of its live subtasks). Nobody reported: the event carries
    the figures so read models of the parent follow."""

    at: datetime
    subtask_id: str = Field(description="the subtask whose change moved the parent")
    progress_percent: int = Field(ge=0, le=100)
    previous_percent: int = Field(ge=0, le=100)
    lagging: bool = Field(description="汇总后仍滞后于序时进度 (yellow, as the task list shows it)")


class TaskUpdated(TaskEvent):
    """tasking.task.updated.v1 — the issuer changed the task's fields (任务变更), with a reason. A change
    of lead unit is also announced by a new tasking.task.assigned.v1 to the new unit."""

    by: Actor
    at: datetime
    reason: str
    changes: list[FieldChange]


class TaskExtensionRequested(TaskEvent):
    """tasking.task.extension_requested.v1 — the lead unit asks for a later deadline (延期申请)."""

    by: Actor
    at: datetime
    extension_id: str
    reason: str
    current_deadline: date
    requested_deadline: date
    working_days_added: int = Field(description="按工作日历计算, 延长的工作日数")
    late: bool = Field(description="在完成时限之后提出")


class TaskExtensionDecided(TaskEvent):
    """tasking.task.extension_decided.v1 — the issuer approved or rejected an extension request."""

    by: Actor
    at: datetime
    extension_id: str
    decision: Literal["approved", "rejected"]
    comment: str | None = None
    requested_deadline: date
    late: bool


class TaskDeadlineExtended(TaskEvent):
    """tasking.task.deadline_extended.v1 — an approved extension moved the deadline (``task.deadline``
    is the new one; ``task.original_deadline`` and ``task.extension_count`` count for assessment)."""

    by: Actor
    at: datetime
    extension_id: str
    previous_deadline: date
    working_days_added: int
    late: bool


class TaskCoUnitConfirmed(TaskEvent):
    """tasking.task.co_unit_confirmed.v1 — a co-unit confirmed its part of the task (协办确认)."""

    by: Actor
    at: datetime
    org_code: str = Field(pattern=CODE_PATTERN)
    note: str | None = None


class LedgerEntryRecorded(TaskEvent):
    """tasking.ledger.entry_recorded.v1 — a unit's ledger (台账) gained an entry for the task
    (建账 open, 周调度, 月自查, 季度对账, 季总结, 半年查账, 年底交账, 销号 close_out)."""

    by: Actor
    at: datetime
    entry_id: str
    org_code: str = Field(pattern=CODE_PATTERN, description="台账所属单位")
    kind: str
    period_label: str


class TaskDeadlineAlert(TaskEvent):
    """tasking.task.due_soon.v1 / lagging.v1 / overdue.v1 / report_missing.v1 — raised once per occurrence
    by the deadline engine (超期提醒 / 预警)."""

    occurrence: str = Field(
        description="What makes this alert unique, e.g. the due date or the report period"
    )
    colour: Colour = Field(description="green 按序时进度 / yellow 滞后于序时进度 / red 超期")
    due: date
    working_days_left: int
    progress_percent: int = Field(ge=0, le=100)
    expected_percent: int = Field(ge=0, le=100, description="序时进度 time-proportional progress")
    provisional: bool = Field(default=False, description="computed with the provisional calendar rule")


class DocumentRef(BaseModel):
    """What every document event carries: the important document (重要文件) it is about."""

    document_id: str
    title: str
    org_code: str = Field(pattern=CODE_PATTERN, description="承办学习解读的单位")


class DocumentStudyAlert(BaseModel):
    """tasking.document.study_due.v1 / study_overdue.v1 / report_overdue.v1 — 学习解读 deadlines."""

    document: DocumentRef
    due: date
    stage: Literal["study", "report"]
    provisional: bool = False
