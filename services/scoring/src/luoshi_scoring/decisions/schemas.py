from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from luoshi_kit.paging import Page
from luoshi_kit.text import MultilineText, PlainText
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_scoring.periods import PERIOD_PATTERN

IncentiveKind = Literal["funds", "project", "policy", "pilot", "demonstration", "commendation"]
Org = Annotated[str, Field(pattern=CODE_PATTERN)]


class IncentiveIn(BaseModel):
    """资金、项目、政策、试点示范 … for a unit with outstanding results, by a government above it."""

    model_config = ConfigDict(extra="forbid")

    org_code: Org
    kind: IncentiveKind = Field(description="funds 资金 / project 项目 / policy 政策 / pilot 试点 / …")
    title: Annotated[PlainText, Field(min_length=2, max_length=200)]
    period: Annotated[str, Field(pattern=PERIOD_PATTERN)]
    basis: Annotated[MultilineText, Field(min_length=2, max_length=5000, description="激励依据")]
    public: bool = Field(default=False, description="在门户公开")


class IncentiveOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    org_code: str
    kind: str
    title: str
    period: str
    basis: str
    public: bool
    granted_by: str
    granted_org: str
    granted_at: datetime


class PersonConcerned(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[PlainText, Field(min_length=1, max_length=60)]
    position: Annotated[PlainText, Field(min_length=1, max_length=120, description="职务")]


class AccountabilityIn(BaseModel):
    """问责: the finding it rests on, the people concerned, the decision; ``public`` when it is exposed."""

    model_config = ConfigDict(extra="forbid")

    org_code: Org
    finding_id: Annotated[PlainText | None, Field(max_length=64, description="审计或督查发现的问题")] = None
    basis: Annotated[MultilineText, Field(min_length=2, max_length=5000, description="问责依据")]
    persons: Annotated[list[PersonConcerned], Field(min_length=1, max_length=50)]
    decision: Annotated[MultilineText, Field(min_length=2, max_length=5000, description="问责决定")]
    public: bool = Field(default=False, description="公开曝光")


class AccountabilityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    org_code: str
    finding_id: str | None
    basis: str
    persons: list[PersonConcerned]
    decision: str
    public: bool
    decided_by: str
    decided_org: str
    decided_at: datetime


IncentivePage = Page[IncentiveOut]
AccountabilityPage = Page[AccountabilityOut]
