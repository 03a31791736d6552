"""Request and response bodies of the inspection routes."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from luoshi_kit.paging import Page
from luoshi_kit.text import MultilineText, PlainText
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_proto.supervision.v1 import InspectionKind
from luoshi_supervision.inspections.rules import MemberRole, SubjectKind

PersonId = PlainText


def check_codes(value: list[str], what: str) -> list[str]:
    bad = [c for c in value if not re.match(CODE_PATTERN, c)]
    if bad:
        raise ValueError(f"{what}代码无效 invalid codes: {', '.join(bad)}")
    if len(set(value)) != len(value):
        raise ValueError(f"{what}重复 duplicates")
    return value


class Member(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    person_id: PlainText = Field(min_length=1, max_length=64)
    role: MemberRole = Field(
        description="inspector 督查专员 / leader 带队领导 / representative 两代表一委员 / assessor"
    )


class InspectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: PlainText = Field(min_length=1, max_length=200, description="督查名称")
    kind: InspectionKind = Field(description="督查方式 (re_inspection 再督查 由整改驳回或超期自动安排)")
    subject_kind: SubjectKind = Field(
        description="督查事项: decision 决策部署 / document 文件 / tasks 任务 / theme 专题"
    )
    subject: PlainText = Field(
        min_length=1, max_length=200, description="督查事项 (文件文号、决策名称或专题)"
    )
    description: MultilineText = Field(default="", max_length=5000, description="督查内容与要求")
    target_orgs: list[str] = Field(default_factory=list, max_length=50, description="被督查单位")
    task_ids: list[PlainText] = Field(default_factory=list, max_length=100, description="督查涉及的重点任务")
    inspector_units: list[str] = Field(
        default_factory=list, max_length=20, description="交叉督查: 派出人员的单位"
    )
    leader_id: PlainText | None = Field(default=None, min_length=1, max_length=64, description="带队领导")
    team: list[Member] = Field(default_factory=list, max_length=50, description="督查组")
    planned_start: date
    planned_end: date
    plan_id: PlainText | None = Field(default=None, max_length=36, description="年度督查计划")
    clue_id: PlainText | None = Field(default=None, max_length=36, description="来源线索 (线索驱动的暗访)")
    on_overlap: Literal["refuse", "merge"] = Field(
        default="refuse", description="与同一单位同一事项同期的督查重叠时: refuse 拒绝 / merge 并入已有督查"
    )

    @field_validator("target_orgs")
    @classmethod
    def _targets(cls, value: list[str]) -> list[str]:
        return check_codes(value, "被督查单位")

    @field_validator("inspector_units")
    @classmethod
    def _units(cls, value: list[str]) -> list[str]:
        return check_codes(value, "派出单位")

    @model_validator(mode="after")
    def _team(self) -> InspectionCreate:
        ids = [m.person_id for m in self.team]
        if len(set(ids)) != len(ids):
            raise ValueError("督查组成员重复 team members repeat")
        if self.kind == "re_inspection":
            raise ValueError("再督查由整改驳回或超期自动安排 re-inspections are scheduled by the system")
        return self


class ConductIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    conducted_on: date = Field(description="实施日期")
    summary: MultilineText = Field(min_length=1, max_length=10000, description="督查实施情况记录")


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    report: MultilineText = Field(min_length=1, max_length=20000, description="督查报告")


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: MultilineText = Field(min_length=1, max_length=2000)


class EvidenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    inspection_id: str
    note: str
    filename: str | None
    content_type: str | None
    size: int
    sha256: str | None
    is_report: bool
    created_by: str
    created_at: datetime


class InspectionOut(BaseModel):
    id: str
    title: str
    kind: str
    subject_kind: str
    subject: str
    description: str
    inspecting_org: str
    unannounced: bool
    plan_id: str | None
    clue_id: str | None
    rectification_id: str | None
    target_orgs: list[str]
    task_ids: list[str]
    inspector_units: list[str]
    leader_id: str | None
    team: list[Member]
    planned_start: date
    planned_end: date
    state: str
    conducted_on: date | None
    conducted_summary: str
    report: str
    findings_count: int
    created_by: str
    created_at: datetime
    merged: bool = Field(default=False, description="本次安排并入了已有的重叠督查")


InspectionPage = Page[InspectionOut]


class TraceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    actor_id: str
    actor_org: str
    reason: str | None
    detail: dict[str, object]
    at: datetime


class PlanCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    year: int = Field(ge=2000, le=2100)
    title: PlainText = Field(min_length=1, max_length=200)
    period_start: date
    period_end: date
    notes: MultilineText = Field(default="", max_length=5000)

    @model_validator(mode="after")
    def _period(self) -> PlanCreate:
        if self.period_end < self.period_start:
            raise ValueError("计划期间结束早于开始 period_end is before period_start")
        if self.period_start.year != self.year and self.period_end.year != self.year:
            raise ValueError("计划期间须在计划年度内 the period must fall in the plan's year")
        return self


class PlanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    org_code: str
    year: int
    title: str
    period_start: date
    period_end: date
    notes: str
    created_by: str
    created_at: datetime
    inspections: list[InspectionOut] = Field(default_factory=list)
