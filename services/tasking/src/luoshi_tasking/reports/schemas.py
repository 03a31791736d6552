"""Request and response bodies of the report routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from luoshi_kit.text import MultilineText


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    progress_percent: int = Field(ge=0, le=100, description="完成进度 (%)")
    progress: MultilineText = Field(min_length=1, max_length=5000, description="工作进展")
    problems: MultilineText = Field(min_length=1, max_length=5000, description="存在问题 (没有时写明“无”)")
    measures: MultilineText = Field(min_length=1, max_length=5000, description="下步措施或建议")


class ReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    task_id: str
    reporter_id: str
    org_code: str
    to_lead_unit: bool
    progress_percent: int
    progress: str
    problems: str
    measures: str
    reported_at: datetime


class ReportList(BaseModel):
    items: list[ReportOut]
    total: int
    offset: int
    limit: int
