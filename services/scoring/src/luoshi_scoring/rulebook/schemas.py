from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from luoshi_kit.paging import Page
from luoshi_kit.text import MultilineText, PlainText
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_proto.gateway.v1 import OrgLevel


class RuleVersionIn(BaseModel):
    """A new version of a rule (积分规则调整): applies from ``effective_from`` on, never to entries made."""

    model_config = ConfigDict(extra="forbid")

    code: Annotated[
        str, Field(min_length=1, max_length=40, description="规则代码, 见 GET /api/v1/scoring-rules")
    ]
    points: Annotated[Decimal, Field(ge=-100, le=100, max_digits=8, decimal_places=2, description="分值")]
    effective_from: date = Field(description="生效日期 (不早于今天)")
    scope_org: Annotated[
        str | None, Field(pattern=CODE_PATTERN, description="适用范围: 政府或部门; 空为全省")
    ] = None
    tier: OrgLevel | None = Field(default=None, description="只适用于此层级的单位")
    period_kind: Literal["quarter", "year"] | None = Field(
        default=None, description="计入季度或年度; 空: 沿用"
    )
    title: Annotated[PlainText | None, Field(min_length=1, max_length=200)] = None
    reason: Annotated[MultilineText, Field(min_length=2, max_length=2000, description="调整理由")]


class RuleVersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    version: int
    title: str
    points: Decimal
    per: str
    scope_org: str | None
    tier: str | None
    effective_from: date
    period_kind: str
    reason: str | None = None
    created_by: str | None = None
    created_at: datetime | None = None
    shipped: bool = Field(default=False, description="平台内置版本 (第 1 版)")


RuleVersionPage = Page[RuleVersionOut]
