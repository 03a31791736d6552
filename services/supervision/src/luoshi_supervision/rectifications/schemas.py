"""Request and response bodies of findings and rectification."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from luoshi_kit.paging import Page
from luoshi_kit.text import MultilineText, PlainText
from luoshi_proto.divisions import CODE_PATTERN


class FindingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    inspection_id: PlainText = Field(min_length=1, max_length=36, description="发现问题的督查")
    org_code: str = Field(pattern=CODE_PATTERN, description="问题所在单位 (整改责任单位)")
    task_id: PlainText | None = Field(default=None, max_length=36)
    title: PlainText = Field(min_length=1, max_length=200)
    description: MultilineText = Field(default="", max_length=10000)


class FindingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    inspection_id: str | None
    task_id: str | None
    org_code: str
    inspecting_org: str
    title: str
    description: str
    created_by: str
    created_at: datetime


class RectificationOrder(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    leading_leader: PlainText = Field(min_length=1, max_length=64, description="整改牵头领导 (person id)")
    working_days: int = Field(ge=1, le=250, description="整改时限 (工作日)")
    requirements: MultilineText = Field(min_length=1, max_length=10000, description="整改要求")
    listed: bool = Field(default=False, description="挂牌督办")
    listed_reason: MultilineText | None = Field(default=None, max_length=2000)


class ProgressIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    progress: MultilineText = Field(min_length=1, max_length=10000, description="整改进展")
    evidence: MultilineText = Field(default="", max_length=10000, description="佐证材料说明")
    final: bool = Field(default=False, description="整改完成, 报请核查销号")


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    comment: MultilineText = Field(default="", max_length=2000)


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: MultilineText = Field(min_length=1, max_length=2000, description="整改不到位的理由")
    new_working_days: int | None = Field(
        default=None, ge=1, le=250, description="重新给定的整改时限 (工作日)"
    )


class ListingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    action: Literal["place", "lift"] = Field(description="place 挂牌督办 / lift 摘牌")
    reason: MultilineText = Field(min_length=1, max_length=2000)


class ReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    rectification_id: str
    progress: str
    evidence: str
    final: bool
    reported_by: str
    reported_org: str
    reported_at: datetime


class RectificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    finding_id: str
    notice_no: str
    title: str
    responsible_unit: str
    inspecting_org: str
    inspection_id: str | None
    task_id: str | None
    leading_leader: str
    requirements: str
    working_days: int
    deadline: date
    state: str
    listed: bool
    listed_reason: str | None
    rejections: int
    overdue: bool = False
    report_cadence_working_days: int | None
    next_report_due: date | None
    report_overdue: bool = Field(
        default=False, description="定期报告逾期: next_report_due has passed unreported"
    )
    reinspection_ids: list[str]
    submitted_on: date | None
    verified_at: datetime | None
    created_at: datetime


RectificationPage = Page[RectificationOut]
FindingPage = Page[FindingOut]
