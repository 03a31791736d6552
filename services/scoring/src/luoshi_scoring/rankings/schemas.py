from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from luoshi_kit.paging import Page
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_proto.gateway.v1 import OrgLevel
from luoshi_scoring.periods import PERIOD_PATTERN

RANKING_RULE = (
    "积分高者在前; 积分相同时负面清单条目少者在前; 再相同时扣分项少者在前; "
    "三项均相同者名次并列 (按单位代码排列)"
)


class RankingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope_org: Annotated[str, Field(pattern=r"^\d{12}$", description="本级政府 (其下属单位参加排名)")]
    tier: OrgLevel = Field(description="参加排名单位的层级 (如省直部门为 province, 各市为 city)")
    period: Annotated[str, Field(pattern=PERIOD_PATTERN, description="考核周期: 2026Q4 或 2026")]


class RankingLine(BaseModel):
    org_code: str
    name: str
    position: int
    rank: int
    points: Decimal
    negative: int = Field(description="负面清单条目")
    deductions: int = Field(description="扣分项")
    entries: int


class CorrectionNotice(BaseModel):
    """An entry corrected after approval: the published ranking stays as approved (更正说明)."""

    entry_id: str
    corrects: str
    org_code: str
    points: Decimal
    reason: str | None
    recorded_at: datetime
    counted_in: str = Field(description="更正计入的周期")


class RankingOut(BaseModel):
    id: str
    scope_org: str
    scope_name: str | None = None
    tier: str
    period: str
    state: str
    created_at: datetime
    approved_by: str | None = None
    approved_at: datetime | None = None
    published_at: datetime | None = None
    frozen: bool = Field(description="已批准: 名次已固定, 此后的记分不再改变")
    rule: str = RANKING_RULE
    lines: list[RankingLine]
    corrections: list[CorrectionNotice] = []


class RankingSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    scope_org: str
    tier: str
    period: str
    state: str
    created_at: datetime
    approved_at: datetime | None = None
    published_at: datetime | None = None


RankingPage = Page[RankingSummary]
PublicRankingPage = Page[RankingOut]
ScopeQuery = Annotated[str | None, Field(pattern=CODE_PATTERN)]
