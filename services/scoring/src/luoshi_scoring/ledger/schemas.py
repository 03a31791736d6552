from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from luoshi_kit.paging import Page
from luoshi_kit.text import MultilineText
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_scoring.periods import PERIOD_PATTERN

Points = Annotated[Decimal, Field(ge=-100, le=100, max_digits=8, decimal_places=2)]


class ManualEntryIn(BaseModel):
    """A manual item (手工记分) with its required basis, by a government above the unit."""

    model_config = ConfigDict(extra="forbid")

    org_code: Annotated[str, Field(pattern=CODE_PATTERN)]
    points: Points
    basis: Annotated[MultilineText, Field(min_length=2, max_length=2000, description="记分依据")]
    period: Annotated[str | None, Field(pattern=PERIOD_PATTERN, description="计入周期; 空为本季度")] = None


class CorrectionIn(BaseModel):
    """A compensating entry (更正), never an edit. Without ``points`` it reverses what remains."""

    model_config = ConfigDict(extra="forbid")

    points: Points | None = None
    reason: Annotated[MultilineText, Field(min_length=2, max_length=2000, description="更正理由")]


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    org_code: str
    period: str
    kind: str
    rule_code: str
    rule_version: int | None
    points: Decimal
    quantity: int
    basis: str
    source_event_id: str | None
    source_event_type: str | None
    task_id: str | None
    occurred_on: date
    corrects: str | None
    reason: str | None
    approved_by: str | None
    recorded_by: str | None
    recorded_at: datetime


class EntryDetail(EntryOut):
    corrections: list[EntryOut] = []


class StandingOut(BaseModel):
    org_code: str
    name: str | None = None
    period: str
    points: Decimal
    entries: int
    deductions: int
    negative: int


class StandingPage(BaseModel):
    """A unit's standing page: its figures in a period and every entry behind them (逐条说明)."""

    standing: StandingOut
    entries: Page[EntryOut]


EntryPage = Page[EntryOut]
