"""Request and response bodies of plans, responsibility letters and dispatch meetings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from luoshi_kit.text import MultilineText, PlainText
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_tasking.plans.rules import MeetingKind


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MilestoneIn(_In):
    name: PlainText = Field(min_length=1, max_length=200, description="节点名称")
    owner_person_id: PlainText | None = Field(default=None, max_length=64, description="责任人")
    owner_org: str | None = Field(default=None, pattern=CODE_PATTERN, description="责任单位")
    start: date
    end: date
    done: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError(f"节点「{self.name}」结束日期早于开始日期")
        return self


class PlanIn(_In):
    start: date = Field(description="方案开始日期")
    end: date = Field(description="方案完成日期")
    owner_person_id: PlainText | None = Field(default=None, max_length=64, description="方案责任人")
    owner_org: str | None = Field(default=None, pattern=CODE_PATTERN, description="责任单位, 缺省为牵头单位")
    notes: MultilineText = Field(default="", max_length=5000, description="推进安排、措施、组织保障")
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _within(self) -> Self:
        if self.end < self.start:
            raise ValueError("方案完成日期早于开始日期")
        outside = [m.name for m in self.milestones if m.start < self.start or m.end > self.end]
        if outside:
            raise ValueError(f"以下节点超出方案起止日期: {', '.join(outside)}")
        return self


class GanttBar(BaseModel):
    id: str
    kind: Literal["plan", "milestone"]
    name: str
    start: date
    end: date
    progress: int = Field(ge=0, le=100)
    owner_person_id: str | None
    owner_org: str | None
    done: bool
    late: bool = Field(description="已过结束日期仍未完成")


class PlanOut(BaseModel):
    task_id: str
    title: str
    planned: bool = Field(description="false: 尚未制定方案, 仅显示任务本身")
    start: date
    end: date
    owner_person_id: str | None
    owner_org: str
    notes: str
    progress: int
    today: date
    bars: list[GanttBar] = Field(description="挂图作战: 方案总条在前, 节点按开始、结束日期排序")
    version: int
    updated_by: str | None
    updated_at: datetime | None


class LetterIn(_In):
    issuing_org: str = Field(pattern=CODE_PATTERN, description="发文单位 (政府)")
    signing_org: str = Field(pattern=CODE_PATTERN, description="签订单位 (下级政府或部门)")
    title: PlainText = Field(min_length=1, max_length=300)
    year: int = Field(ge=2000, le=2100)
    targets: MultilineText = Field(min_length=1, max_length=20000, description="目标任务")
    signed_on: date


class LetterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    issuing_org: str
    signing_org: str
    title: str
    year: int
    targets: str
    signed_on: date
    created_by: str
    created_at: datetime


class LetterPage(BaseModel):
    items: list[LetterOut]
    total: int
    offset: int
    limit: int


class MeetingIn(_In):
    org_code: str = Field(pattern=CODE_PATTERN, description="召开会议的单位")
    kind: MeetingKind = Field(description="principal 调度会 / deputy 工作推进会 / unit 工作例会")
    held_on: date
    convener_id: PlainText | None = Field(default=None, max_length=64, description="召集人")
    topic: PlainText = Field(min_length=1, max_length=300)
    attendees: MultilineText = Field(default="", max_length=2000)
    summary: MultilineText = Field(default="", max_length=20000)


class MeetingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    org_code: str
    kind: str
    held_on: date
    convener_id: str | None
    topic: str
    attendees: str
    summary: str
    created_by: str
    created_at: datetime


class MeetingPage(BaseModel):
    items: list[MeetingOut]
    total: int
    offset: int
    limit: int


class PeriodOut(BaseModel):
    label: str
    start: date
    end: date


class CadenceGaps(BaseModel):
    kind: MeetingKind
    name: str
    cadence: Literal["quarter", "month", "week"]
    held: int = Field(description="本年已召开次数 (截至今天)")
    missing: list[PeriodOut]


class GapsOut(BaseModel):
    org_code: str
    year: int
    today: date
    kinds: list[CadenceGaps]
