"""Request and response bodies of the task routes."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from luoshi_proto.divisions import CODE_PATTERN


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=200, description="任务名称")
    description: str = Field(default="", max_length=5000, description="任务内容与工作要求")
    source: str | None = Field(default=None, max_length=200, description="来源决策部署或文件")
    category: str | None = Field(default=None, max_length=100, description="类别, 如七大体系")
    lead_unit: str = Field(pattern=CODE_PATTERN, description="牵头单位 (统计用区划代码或部门代码)")
    co_units: list[str] = Field(default_factory=list, max_length=50, description="协办单位")
    deadline: date = Field(description="完成时限 (北京时间日期)")

    @field_validator("co_units")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        import re

        bad = [c for c in value if not re.match(CODE_PATTERN, c)]
        if bad:
            raise ValueError(f"协办单位代码无效: {', '.join(bad)}")
        if len(set(value)) != len(value):
            raise ValueError("协办单位重复")
        return value


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    description: str
    source: str | None
    category: str | None
    issuing_org: str
    lead_unit: str
    co_units: list[str]
    deadline: date
    state: str
    created_by: str
    created_at: datetime


class TaskPage(BaseModel):
    items: list[TaskOut]
    total: int
    offset: int
    limit: int
