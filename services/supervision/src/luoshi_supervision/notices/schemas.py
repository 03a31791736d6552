"""Request and response bodies of notices (曝光 / 宣传典型), for the office and for the public portal."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from luoshi_kit.paging import Page
from luoshi_kit.text import MultilineText, PlainText
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_proto.supervision.v1 import NoticeKind
from luoshi_supervision.notices.rules import NoticeState

Title = Annotated[PlainText, Field(min_length=1, max_length=200)]
Body = Annotated[MultilineText, Field(min_length=1, max_length=20000)]


class NoticeItem(BaseModel):
    """One unit named in the notice: for an exposure, what was not implemented and who is responsible."""

    model_config = ConfigDict(extra="forbid")

    org_code: str = Field(pattern=CODE_PATTERN, description="单位")
    unit_name: Annotated[PlainText, Field(min_length=1, max_length=100)] | None = None
    responsible: Annotated[PlainText, Field(min_length=1, max_length=100)] | None = Field(
        default=None, description="责任人 (曝光)"
    )
    description: Annotated[MultilineText, Field(min_length=1, max_length=2000)] = Field(
        description="问题或典型事迹"
    )


Items = Annotated[list[NoticeItem], Field(min_length=1, max_length=50)]


class NoticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: NoticeKind = Field(description="exposure 曝光 / commendation 宣传典型")
    title: Title
    body: Body
    items: Items
    corrects: Annotated[str, Field(min_length=1, max_length=36)] | None = Field(
        default=None, description="更正: the published notice this one corrects"
    )


class NoticePatch(BaseModel):
    """Changes to a draft (a published notice answers 409: correct it with a new notice)."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    body: Body | None = None
    items: Items | None = None


class NoticeReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[MultilineText, Field(min_length=1, max_length=2000)]


class NoticeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: NoticeKind
    title: str
    body: str
    items: list[NoticeItem]
    issuing_org: str
    corrects: str | None
    state: NoticeState
    return_reason: str | None
    drafted_by: str
    approved_by: str | None
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime


class NoticePage(Page[NoticeOut]):
    pass


class PublicNotice(BaseModel):
    """A published notice as the portal shows it (no internal fields)."""

    id: str
    kind: NoticeKind
    title: str
    body: str
    items: list[NoticeItem]
    issuing_org: str
    corrects: str | None
    corrected_by: list[str] = Field(default_factory=list, description="已被以下通报更正")
    published_at: datetime


class PublicNoticePage(Page[PublicNotice]):
    pass
