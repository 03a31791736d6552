"""Request and response bodies of the deadline routes."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class DeadlineRulesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    due_soon_working_days: int = Field(ge=0, le=60, description="到期前 N 个工作日提醒 (默认 3)")
    lagging_tolerance_points: int = Field(
        ge=0, le=100, description="低于序时进度多少个百分点视为滞后 (默认 10)"
    )
    scan_interval_seconds: int = Field(ge=10, le=86400, description="扫描间隔秒数 (默认 300)")
    max_extensions: int = Field(default=2, ge=0, le=20, description="每项任务最多批准延期次数 (默认 2)")


class DeadlineRulesOut(DeadlineRulesIn):
    updated_by: str | None = None
    updated_at: datetime | None = None


class ScanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    today: date | None = Field(default=None, description="业务日期, 默认今天 (Asia/Shanghai)")


class ScanOut(BaseModel):
    skipped: bool = Field(description="另一个副本正在扫描 another replica holds the scan lock")
    today: date
    candidates: int
    raised: dict[str, int] = Field(description="新发出的提醒数, by kind")
    seconds: float
