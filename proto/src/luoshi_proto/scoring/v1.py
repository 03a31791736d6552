"""Events the scoring service publishes (激励问责): points, negative list, rankings, incentives,
accountability and inspection exemptions. Same shape as every Luoshi event (docs/conventions.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from luoshi_proto.divisions import CODE_PATTERN
from luoshi_proto.gateway.v1 import OrgLevel
from luoshi_proto.tasking.v1 import Actor

PERIOD_PATTERN = r"^\d{4}(Q[1-4])?$"  # 2026Q4 (quarter) or 2026 (year)


class PointsEntryRef(BaseModel):
    entry_id: str
    org_code: str = Field(pattern=CODE_PATTERN)
    period: str = Field(pattern=PERIOD_PATTERN)
    rule_id: str | None = Field(default=None, description="None for a manual item or a correction")
    rule_version: int | None = None
    points: float
    basis: str = Field(description="human-readable basis (zh-CN)")
    source_event_id: str | None = None
    corrects: str | None = Field(default=None, description="the entry a compensating entry corrects")


class PointsChanged(BaseModel):
    """scoring.points.changed.v1 — an entry was added to a unit's points ledger (积分)."""

    entry: PointsEntryRef
    by: Actor | None = None
    at: datetime
    total: float = Field(description="the unit's standing in the period after this entry")


class NegativeEntryRef(BaseModel):
    entry_id: str
    org_code: str = Field(pattern=CODE_PATTERN)
    period: str = Field(pattern=PERIOD_PATTERN)
    task_id: str | None = None
    basis: str


class NegativeListed(BaseModel):
    """scoring.negative_list.added.v1 — a unit's negative list (负面清单) gained an entry."""

    entry: NegativeEntryRef
    by: Actor | None = None
    at: datetime


class Standing(BaseModel):
    org_code: str = Field(pattern=CODE_PATTERN)
    points: float
    rank: int = Field(ge=1)


class RankingRef(BaseModel):
    ranking_id: str
    scope_org: str = Field(pattern=CODE_PATTERN, description="本级政府: whose children are ranked")
    tier: OrgLevel
    period: str = Field(pattern=PERIOD_PATTERN)


class RankingEvent(BaseModel):
    """Base of ranking events."""

    ranking: RankingRef


class RankingApproved(RankingEvent):
    """scoring.ranking.approved.v1 — the principal of the government approved it (经主要负责同志批准)."""

    by: Actor
    at: datetime


class RankingPublished(RankingEvent):
    """scoring.ranking.published.v1 — the ranking was published (排名公示) and frozen."""

    by: Actor
    at: datetime
    standings: list[Standing]


class IncentiveRef(BaseModel):
    incentive_id: str
    org_code: str = Field(pattern=CODE_PATTERN)
    kind: Literal["funds", "project", "policy", "pilot", "demonstration", "commendation"]
    title: str
    period: str = Field(pattern=PERIOD_PATTERN)


class IncentiveGranted(BaseModel):
    """scoring.incentive.granted.v1 — an incentive (激励) was granted."""

    incentive: IncentiveRef
    by: Actor
    at: datetime


class AccountabilityRef(BaseModel):
    decision_id: str
    org_code: str = Field(pattern=CODE_PATTERN)
    basis: str = Field(description="the audit or inspection finding it rests on")
    decision: str
    public: bool


class AccountabilityDecided(BaseModel):
    """scoring.accountability.decided.v1 — an accountability decision (问责) was recorded."""

    decision: AccountabilityRef
    by: Actor
    at: datetime


class ExemptionRef(BaseModel):
    exemption_id: str
    org_code: str = Field(pattern=CODE_PATTERN)
    starts_on: date
    ends_on: date
    basis: str


class ExemptionChanged(BaseModel):
    """scoring.exemption.granted.v1 / exemption_expired.v1 — an exemption (免督查) began or ended."""

    exemption: ExemptionRef
    by: Actor | None = None
    at: datetime
