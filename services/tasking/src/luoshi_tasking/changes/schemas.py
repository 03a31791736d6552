"""Request and response bodies of task changes (任务变更) and extensions (延期申请)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from luoshi_kit.text import MultilineText, PlainText
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_tasking.tasks.decomposition import Nature
from luoshi_tasking.tasks.schemas import SourceLevel, check_codes

# The fields PATCH may change, in the order changes are listed.
EDITABLE = (
    "title",
    "description",
    "source",
    "source_level",
    "source_ref",
    "category",
    "nature",
    "lead_unit",
    "co_units",
    "principal_id",
    "deputy_id",
    "handler_id",
    "start_date",
    "deadline",
    "required_progress",
    "measures",
    "report_due_dates",
)


class TaskUpdate(BaseModel):
    """任务变更 by the issuer: only the fields given change; ``reason`` is required."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: MultilineText = Field(min_length=1, max_length=2000, description="变更理由")
    title: PlainText | None = Field(default=None, min_length=1, max_length=200)
    description: MultilineText | None = Field(default=None, max_length=5000)
    source: PlainText | None = Field(default=None, max_length=200)
    source_level: SourceLevel | None = None
    source_ref: PlainText | None = Field(default=None, max_length=200)
    category: PlainText | None = Field(default=None, max_length=100)
    nature: Nature | None = None
    lead_unit: str | None = Field(
        default=None, pattern=CODE_PATTERN, description="更换牵头单位: 任务回到已交办, 由新单位重新签收"
    )
    co_units: list[str] | None = Field(default=None, max_length=50)
    principal_id: PlainText | None = Field(default=None, min_length=1, max_length=64)
    deputy_id: PlainText | None = Field(default=None, min_length=1, max_length=64)
    handler_id: PlainText | None = Field(default=None, min_length=1, max_length=64)
    start_date: date | None = None
    deadline: date | None = Field(default=None, description="新的完成时限 (不得早于今天)")
    required_progress: MultilineText | None = Field(default=None, max_length=5000)
    measures: MultilineText | None = Field(default=None, max_length=5000)
    report_due_dates: list[date] | None = Field(default=None, max_length=400)

    @field_validator("co_units")
    @classmethod
    def _codes(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else check_codes(value, "协办单位")

    @model_validator(mode="after")
    def _something(self) -> TaskUpdate:
        if not any(name in self.model_fields_set for name in EDITABLE):
            raise ValueError("未给出要变更的字段")
        if self.report_due_dates is not None and len(set(self.report_due_dates)) != len(
            self.report_due_dates
        ):
            raise ValueError("反馈时限重复")
        return self


class ExtensionCreate(BaseModel):
    """延期申请 by the lead unit: the new date and why."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    requested_deadline: date = Field(description="申请延至 (北京时间日期)")
    reason: MultilineText = Field(min_length=1, max_length=2000, description="延期理由")


class ExtensionDecision(BaseModel):
    """延期审批 by the issuer: approve moves the deadline; reject needs a comment."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Literal["approve", "reject"]
    comment: MultilineText | None = Field(default=None, max_length=2000, description="审批意见 (不同意须填)")

    @model_validator(mode="after")
    def _comment(self) -> ExtensionDecision:
        if self.decision == "reject" and not self.comment:
            raise ValueError("不同意延期必须说明理由")
        return self


class ExtensionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    task_id: str
    state: Literal["pending", "approved", "rejected", "withdrawn"]
    reason: str
    current_deadline: date = Field(description="申请时的完成时限")
    requested_deadline: date
    working_days_added: int = Field(description="延长的工作日数 (按工作日历)")
    late: bool = Field(description="在完成时限之后提出")
    requested_by: str
    requested_org: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    comment: str | None


class ExtensionList(BaseModel):
    items: list[ExtensionOut]
    total: int
    max_extensions: int = Field(description="每项任务最多可批准的延期次数")
    approved: int = Field(description="已批准次数")
