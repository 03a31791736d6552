from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from luoshi_kit.paging import Page
from luoshi_kit.text import MultilineText
from luoshi_scoring.periods import PERIOD_PATTERN


class SelfCheckIn(BaseModel):
    """The caller's own unit files: a quarter (自查) or a year (年底积分管理情况报告)."""

    model_config = ConfigDict(extra="forbid")

    period: Annotated[str, Field(pattern=PERIOD_PATTERN, description="2026Q4 季度自查 / 2026 年底报告")]
    claimed_points: Annotated[Decimal, Field(ge=-10000, le=10000, max_digits=12, decimal_places=2)]
    summary: Annotated[MultilineText, Field(min_length=2, max_length=5000, description="自查情况")]
    explanation: Annotated[
        MultilineText | None, Field(max_length=5000, description="与台账积分不一致时的说明 (必填)")
    ] = None


class SelfCheckOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    org_code: str
    to_org: str
    period: str
    kind: str
    ledger_points: Decimal
    claimed_points: Decimal
    summary: str
    explanation: str | None
    filed_by: str
    filed_at: datetime


class MissingSelfCheck(BaseModel):
    """A unit that owes ``period``'s self-check (or year-end report) and has not filed it (未报送)."""

    org_code: str
    name: str
    period: str
    kind: str


SelfCheckPage = Page[SelfCheckOut]
MissingPage = Page[MissingSelfCheck]
