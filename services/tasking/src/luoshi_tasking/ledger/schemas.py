"""Request and response bodies of the ledger routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from luoshi_kit.text import MultilineText, PlainText

RecordedKind = Literal["dispatch", "self_check", "reconcile", "summary", "audit", "hand_in"]


class EntryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    task_id: PlainText = Field(min_length=1, max_length=36)
    kind: RecordedKind = Field(
        description="dispatch 周调度 / self_check 月自查 / reconcile 季度对账 / summary 季总结 / "
        "audit 半年查账 / hand_in 年底交账"
    )
    period_label: PlainText | None = Field(
        default=None, max_length=20, description="期间, 如 2027-W05, 2027-03, 2027Q1, 2027H1, 2027; 默认当期"
    )
    note: MultilineText = Field(min_length=1, max_length=5000, description="记录内容")


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    org_code: str
    task_id: str
    kind: str
    period_label: str
    note: str | None
    recorded_by: str
    recorded_at: datetime


class Checkpoint(BaseModel):
    kind: str
    name: str
    period_label: str
    recorded: bool


class LedgerTask(BaseModel):
    task_id: str
    title: str
    role: Literal["lead", "co_unit"]
    state: str
    deadline: date
    progress_percent: int
    opened_at: datetime | None
    closed_out_at: datetime | None
    checkpoints: list[Checkpoint]
    missing: list[str] = Field(description="本期应记未记的台账节点")


class Ledger(BaseModel):
    org_code: str
    as_of: date
    items: list[LedgerTask]
    total: int
    offset: int
    limit: int
