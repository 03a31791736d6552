"""Request and response bodies of urges (催办) and supervision orders (督办)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from luoshi_kit.paging import Page
from luoshi_kit.text import MultilineText, PlainText
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_proto.supervision.v1 import UrgeKind, UrgeRole
from luoshi_supervision.urges.rules import UrgeState

Prose = Annotated[MultilineText, Field(min_length=1, max_length=2000)]


class UrgeIn(BaseModel):
    """An urge or supervision order issued by hand (人工催办/督办)."""

    model_config = ConfigDict(extra="forbid")

    kind: UrgeKind = Field(description="urge 催办 (to the handler) / order 督办 (to the principal)")
    org_code: str = Field(pattern=CODE_PATTERN, description="被催办单位 (below the issuing unit)")
    message: Prose = Field(description="催办/督办事项")
    answer_due: date = Field(description="答复期限 (today or later, Asia/Shanghai)")
    task_id: Annotated[PlainText, Field(min_length=1, max_length=36)] | None = Field(
        default=None, description="涉及的重点任务 (its trace shows the urge)"
    )
    task_title: Annotated[PlainText, Field(min_length=1, max_length=200)] | None = None
    recipient_role: UrgeRole | None = Field(
        default=None, description="first recipient; default: handler for an urge, principal for an order"
    )


class UrgeAnswerIn(BaseModel):
    """The answer: the reason and the catch-up plan (原因和整改措施)."""

    model_config = ConfigDict(extra="forbid")

    reason: Prose = Field(description="原因")
    plan: Prose = Field(description="整改措施 / 赶进度计划")


class UrgeStepOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    level: int
    recipient_role: UrgeRole
    actor_id: str | None
    actor_org: str | None
    note: str | None
    at: datetime


class UrgeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: UrgeKind
    task_id: str | None
    task_title: str | None
    occurrence: str
    automatic: bool
    issuing_org: str
    org_code: str
    recipient_role: UrgeRole
    level: int
    state: UrgeState
    message: str
    answer_due: date
    answer_due_at: datetime
    issued_by: str | None
    issued_at: datetime
    escalated_at: datetime | None
    answer_reason: str | None
    answer_plan: str | None
    answered_by: str | None
    answered_at: datetime | None
    steps: list[UrgeStepOut] = Field(default_factory=list)


class UrgePage(Page[UrgeOut]):
    pass


class UrgeScanOut(BaseModel):
    escalated: int = Field(description="本次升级的催办/督办数")
    at: datetime
