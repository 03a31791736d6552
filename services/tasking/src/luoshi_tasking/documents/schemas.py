"""Request and response bodies of the document routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from luoshi_kit.text import MultilineText, PlainText
from luoshi_proto.divisions import CODE_PATTERN

IssuerLevel = Literal["党中央", "国务院", "国家部委", "省委"]
DocumentStatus = Literal["study_pending", "study_overdue", "report_pending", "report_overdue", "reported"]


class DocumentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: PlainText = Field(min_length=1, max_length=300, description="文件标题")
    issuer_level: IssuerLevel = Field(description="发文层级")
    reference: PlainText = Field(min_length=1, max_length=200, description="文号")
    issue_date: date = Field(description="印发日期")
    org_code: str = Field(pattern=CODE_PATTERN, description="牵头承办、组织学习解读的单位")
    especially_important: bool = Field(default=False, description="特别重大: 第一时间学习解读")
    lead_deputy_id: PlainText | None = Field(default=None, max_length=64, description="牵头分管负责同志")
    lead_person_id: PlainText | None = Field(default=None, max_length=64, description="具体负责人")


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    held_on: date = Field(description="学习解读会日期")
    attendees: MultilineText = Field(min_length=1, max_length=2000, description="参会人员")
    summary: MultilineText = Field(
        min_length=1, max_length=20000, description="解读要点: 背景、新要求、可争取政策、挑战、落实打算"
    )


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reported_on: date = Field(description="报告日期")
    content: MultilineText = Field(min_length=1, max_length=20000, description="学习解读情况报告")


class SessionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    document_id: str
    held_on: date
    attendees: str
    summary: str
    recorded_by: str
    recorded_at: datetime


class ReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    document_id: str
    reported_on: date
    content: str
    recorded_by: str
    recorded_at: datetime


class DocumentOut(BaseModel):
    id: str
    title: str
    issuer_level: str
    reference: str
    issue_date: date
    org_code: str
    especially_important: bool
    lead_deputy_id: str | None
    lead_person_id: str | None
    session_date: date | None
    reported_on: date | None
    study_due: date = Field(description="学习解读截止日")
    report_due: date | None = Field(description="报告截止日 (学习解读会后)")
    status: DocumentStatus
    provisional: bool = Field(description="截止日按临时日历规则计算 (官方安排未载入)")
    created_by: str
    created_at: datetime


class DocumentDetail(DocumentOut):
    sessions: list[SessionOut]
    reports: list[ReportOut]


class DocumentPage(BaseModel):
    items: list[DocumentOut]
    total: int
    offset: int
    limit: int


class RulesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    study_working_days: int = Field(ge=1, le=60, description="学习解读期限 (工作日)")
    important_study_working_days: int = Field(
        ge=0, le=60, description="特别重大文件期限 (工作日, 0 = 当日, 非工作日顺延至下一工作日)"
    )
    report_working_days: int = Field(ge=0, le=60, description="会后报告期限 (工作日)")


class RulesOut(RulesIn):
    updated_by: str | None = None
    updated_at: datetime | None = None
