"""Request and response bodies of the calendar routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from luoshi_kit.text import MultilineText


class CalendarYearIn(BaseModel):
    """The State Council's schedule for one year: the days off (放假) and the adjusted workdays (调休上班).

    Holidays may list whole spans as the notice gives them (weekends included); workdays are the
    weekend days worked instead."""

    holidays: list[date] = Field(default_factory=list, max_length=366, description="放假日期")
    workdays: list[date] = Field(default_factory=list, max_length=366, description="调休上班日期")
    note: MultilineText | None = Field(
        default=None, max_length=500, description="来源, e.g. 国办发明电〔2026〕x号"
    )


class CalendarYearOut(BaseModel):
    year: int
    source: Literal["official", "chinesecalendar", "provisional"] = Field(
        description="official 管理员导入 / chinesecalendar 库内置 / provisional 暂定规则"
    )
    provisional: bool = Field(description="暂定: 按周末及估算的法定节假日计算, 无调休")
    holidays: list[date] = Field(description="工作日放假 weekdays off")
    workdays: list[date] = Field(description="调休上班 weekend days worked")
    note: str | None = None
    updated_by: str | None = None
    updated_at: datetime | None = None
