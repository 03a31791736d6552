"""Request and response bodies of public clues (线索): the public intake and lookup, the office's views."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from luoshi_kit.paging import Page
from luoshi_kit.text import MultilineText, PlainText
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_proto.supervision.v1 import ClueOutcome
from luoshi_supervision.clues.rules import CONTENT_MAX_CHARS, ClueChannel, ClueState

RECEIPT_PATTERN = r"^XS[0-9]{8}[A-Z2-9]{8}$"


class ClueIn(BaseModel):
    """A clue from the public (portal, WeChat, media adapters … through the same API)."""

    model_config = ConfigDict(extra="forbid")

    org_code: str = Field(pattern=CODE_PATTERN, description="受理线索的政府 (its 督查室 handles it)")
    category: Annotated[PlainText, Field(min_length=1, max_length=50)] = Field(description="线索类别")
    content: Annotated[MultilineText, Field(min_length=10, max_length=CONTENT_MAX_CHARS)] = Field(
        description="反映的情况 (10–5000 字)"
    )
    channel: ClueChannel = "portal"
    reporter_name: Annotated[PlainText, Field(min_length=1, max_length=50)] | None = Field(
        default=None, description="反映人姓名 (可匿名; 仅督查室可见)"
    )
    reporter_contact: Annotated[PlainText, Field(min_length=3, max_length=100)] | None = Field(
        default=None, description="联系方式 (仅督查室可见)"
    )


class ClueReceipt(BaseModel):
    """The receipt: keep the number and the secret — together they show the clue's status, nothing else."""

    receipt_no: str
    secret: str = Field(description="查询密码: shown once, stored only as a hash")
    status: ClueState
    received_at: datetime


class ClueLookupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    receipt_no: str = Field(pattern=RECEIPT_PATTERN, description="受理编号")
    secret: str = Field(min_length=1, max_length=64, description="查询密码")


class ClueStatusOut(BaseModel):
    """What the reporter sees (事事有回音): the state and the office's reply, no personal data."""

    receipt_no: str
    status: ClueState
    status_zh: str
    outcome: ClueOutcome | None
    reply: str | None
    received_at: datetime
    updated_at: datetime


class ClueOut(BaseModel):
    """The office's view; ``reporter_name``/``reporter_contact`` are null for anyone but the office."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    receipt_no: str
    received_org: str
    org_code: str
    category: str
    channel: ClueChannel
    content: str
    reporter_name: str | None
    reporter_contact: str | None
    state: ClueState
    outcome: ClueOutcome | None
    target_ref: str | None
    reason: str | None
    reply: str | None
    triaged_by: str | None
    triaged_at: datetime | None
    received_at: datetime
    updated_at: datetime


class CluePage(Page[ClueOut]):
    pass


class ClueTriageIn(BaseModel):
    """研判: a finding or an inspection (its id or reference), a referral down, or a dismissal with reason."""

    model_config = ConfigDict(extra="forbid")

    outcome: ClueOutcome
    target_ref: Annotated[PlainText, Field(min_length=1, max_length=100)] | None = Field(
        default=None, description="finding / inspection: its id or reference (e.g. a part-A inspection id)"
    )
    referred_to: str | None = Field(
        default=None, pattern=CODE_PATTERN, description="referral: the government below that takes it"
    )
    reason: Annotated[MultilineText, Field(min_length=1, max_length=2000)] | None = Field(
        default=None, description="研判意见 (required to dismiss)"
    )
    reply: Annotated[MultilineText, Field(min_length=1, max_length=2000)] | None = Field(
        default=None, description="给反映人的回复 (default: a standard reply per outcome)"
    )

    @model_validator(mode="after")
    def _complete(self) -> ClueTriageIn:
        if self.outcome in ("finding", "inspection") and not self.target_ref:
            raise ValueError("立为问题或纳入督查须填写 target_ref (finding / inspection needs target_ref)")
        if self.outcome == "referral" and not self.referred_to:
            raise ValueError("转交须填写 referred_to (a referral needs the government below)")
        if self.outcome != "referral" and self.referred_to:
            raise ValueError("只有转交可以填写 referred_to (referred_to is for referrals only)")
        if self.outcome == "dismissed" and not self.reason:
            raise ValueError("不予立案须说明理由 reason (a dismissal needs its reason)")
        return self
