"""Request and response bodies of the task routes."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from luoshi_kit.paging import Page
from luoshi_kit.text import MultilineText, PlainText
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_tasking.tasks.decomposition import Nature

SourceLevel = Literal["党中央", "国务院", "国家部委", "省委", "省政府", "市委", "市政府", "县委", "县政府"]


def check_codes(value: list[str], what: str) -> list[str]:
    bad = [c for c in value if not re.match(CODE_PATTERN, c)]
    if bad:
        raise ValueError(f"{what}代码无效: {', '.join(bad)}")
    if len(set(value)) != len(value):
        raise ValueError(f"{what}重复")
    return value


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: PlainText = Field(min_length=1, max_length=200, description="任务名称")
    description: MultilineText = Field(default="", max_length=5000, description="任务内容与工作要求")
    source: PlainText | None = Field(default=None, max_length=200, description="来源决策部署或文件")
    source_level: SourceLevel | None = Field(default=None, description="来源层级")
    source_ref: PlainText | None = Field(default=None, max_length=200, description="文号或会议名称")
    category: PlainText | None = Field(default=None, max_length=100, description="类别, 如七大体系")
    lead_unit: str = Field(pattern=CODE_PATTERN, description="牵头单位 (统计用区划代码或部门代码)")
    co_units: list[str] = Field(default_factory=list, max_length=50, description="协办单位")
    principal_id: PlainText | None = Field(
        default=None, min_length=1, max_length=64, description="主要负责同志"
    )
    deputy_id: PlainText | None = Field(default=None, min_length=1, max_length=64, description="分管负责同志")
    handler_id: PlainText | None = Field(default=None, min_length=1, max_length=64, description="具体承办人")
    start_date: date | None = Field(default=None, description="开始日期")
    deadline: date = Field(description="完成时限 (北京时间日期)")
    nature: Nature | None = Field(
        default=None,
        description="任务性质: medium_long 中长期 / yearly 年度 / phased 阶段性 / "
        "special_phased 特别重要阶段性 (不填则按起止日期推定; 决定分解到年/季/月/周)",
    )
    required_progress: MultilineText = Field(default="", max_length=5000, description="工作进度要求")
    measures: MultilineText = Field(default="", max_length=5000, description="工作措施")
    report_due_dates: list[date] = Field(
        default_factory=list, max_length=400, description="反馈时限 (未设置时每季度反馈)"
    )

    @field_validator("co_units")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        return check_codes(value, "协办单位")

    @model_validator(mode="after")
    def _dates(self) -> TaskCreate:
        if self.start_date and self.start_date > self.deadline:
            raise ValueError("开始日期晚于完成时限")
        if any(d > self.deadline for d in self.report_due_dates):
            raise ValueError("反馈时限晚于完成时限")
        if len(set(self.report_due_dates)) != len(self.report_due_dates):
            raise ValueError("反馈时限重复")
        return self


class TaskStatusOut(BaseModel):
    """At a glance: green on schedule, yellow behind 序时进度, red overdue (see deadlines/rules.py)."""

    colour: Literal["green", "yellow", "red"]
    expected_percent: int = Field(description="序时进度")
    working_days_left: int
    overdue: bool
    lagging: bool
    due_soon: bool
    provisional: bool = Field(description="按临时规则推算的工作日 (当年官方安排尚未导入)")


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    description: str
    source: str | None
    source_level: str | None
    source_ref: str | None
    category: str | None
    issuing_org: str
    lead_unit: str
    co_units: list[str]
    principal_id: str | None
    deputy_id: str | None
    handler_id: str | None
    start_date: date | None
    deadline: date = Field(description="现行完成时限 (批准延期后为新时限)")
    original_deadline: date | None = Field(description="最初交办的完成时限")
    extension_count: int = Field(description="已批准的延期次数")
    nature: Nature | None = Field(description="任务性质")
    required_progress: str
    measures: str
    report_due_dates: list[date]
    parent_id: str | None
    period_kind: str | None
    period_label: str | None
    progress_percent: int
    state: str
    created_by: str
    created_at: datetime
    updated_at: datetime | None
    accepted_at: datetime | None
    completed_at: datetime | None
    closed_at: datetime | None
    last_report_at: datetime | None
    status: TaskStatusOut | None = Field(default=None, description="任务清单与详情中给出")


TASK_FIELDS = tuple(name for name in TaskOut.model_fields if name != "status")
"""``TaskOut``'s fields from the task table (all its columns), in the model's order."""

COUNT_CAP = 10_000  # asked for its total (?total=true), a page counts at most this many tasks past its offset


class TaskPage(Page[TaskOut]):
    """A page of tasks. Its ``total`` is counted only on request (``?total=true``); otherwise it is exact on
    the last page and a lower bound (``total_is_estimate``, ``has_more``) before it."""


class TaskEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    task_id: str
    action: str
    actor_id: str
    actor_org: str
    reason: str | None
    detail: dict[str, Any]
    at: datetime


class Reason(BaseModel):
    """A required reason (退回 / 撤销 / 复核退回): what the trace will show as 'why'."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: MultilineText = Field(min_length=1, max_length=2000, description="理由")


class Note(BaseModel):
    """An optional note on a step (签收 / 完成 / 归档 / 协办确认)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: MultilineText | None = Field(default=None, max_length=2000, description="备注")


class Reassign(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    lead_unit: str = Field(pattern=CODE_PATTERN, description="新的牵头单位")
    co_units: list[str] | None = Field(default=None, max_length=50, description="协办单位 (不填则不变)")
    deadline: date | None = Field(default=None, description="新的完成时限 (不填则不变)")
    reason: MultilineText = Field(min_length=1, max_length=2000, description="重新交办理由")

    @field_validator("co_units")
    @classmethod
    def _codes(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else check_codes(value, "协办单位")


class Review(BaseModel):
    """复核: approve closes the task out (销号); reject sends it back to work with a reason."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Literal["approve", "reject"]
    reason: MultilineText | None = Field(default=None, max_length=2000, description="复核意见 (退回时必填)")

    @model_validator(mode="after")
    def _reason(self) -> Review:
        if self.decision == "reject" and not self.reason:
            raise ValueError("复核退回必须说明理由")
        return self


class CoUnitConfirmationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    org_code: str
    confirmed: bool
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    note: str | None = None


class SubtaskCreate(BaseModel):
    """One subtask (分解): a period slice kept by the lead unit, or a part assigned to a unit below it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: PlainText = Field(min_length=1, max_length=200)
    description: MultilineText = Field(default="", max_length=5000)
    lead_unit: str | None = Field(default=None, pattern=CODE_PATTERN, description="默认为上级任务的牵头单位")
    co_units: list[str] = Field(default_factory=list, max_length=50)
    principal_id: PlainText | None = Field(default=None, min_length=1, max_length=64)
    deputy_id: PlainText | None = Field(default=None, min_length=1, max_length=64)
    handler_id: PlainText | None = Field(default=None, min_length=1, max_length=64)
    start_date: date | None = None
    deadline: date = Field(description="不晚于上级任务的完成时限")
    required_progress: MultilineText = Field(default="", max_length=5000)
    measures: MultilineText = Field(default="", max_length=5000)
    report_due_dates: list[date] = Field(default_factory=list, max_length=400)
    period_kind: Literal["year", "quarter", "month", "week"] | None = None
    period_label: PlainText | None = Field(default=None, max_length=40)
    nature: Nature | None = Field(default=None, description="不填则按起止日期推定")

    @field_validator("co_units")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        return check_codes(value, "协办单位")

    @model_validator(mode="after")
    def _period(self) -> SubtaskCreate:
        if (self.period_kind is None) != (self.period_label is None):
            raise ValueError("period_kind 与 period_label 须同时给出")
        if self.start_date and self.start_date > self.deadline:
            raise ValueError("开始日期晚于完成时限")
        if any(d > self.deadline for d in self.report_due_dates):
            raise ValueError("反馈时限晚于完成时限")
        return self


class SubtasksCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[SubtaskCreate] = Field(min_length=1, max_length=200)


class ProposedPeriod(BaseModel):
    kind: str
    label: str
    start: date
    end: date


class DecompositionProposal(BaseModel):
    task_id: str
    nature: str | None = Field(description="任务性质; 分解方式由它决定, 除非 ?kind= 另行指定")
    period_kind: str
    start: date
    deadline: date
    periods: list[ProposedPeriod]
    items: list[SubtaskCreate] = Field(description="可调整后提交至 POST /subtasks")
