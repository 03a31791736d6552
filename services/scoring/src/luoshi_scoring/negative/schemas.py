from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from luoshi_kit.paging import Page
from luoshi_kit.text import MultilineText, PlainText
from luoshi_proto.divisions import CODE_PATTERN


class NegativeIn(BaseModel):
    """An entry by hand (with its basis), by a government above the unit."""

    model_config = ConfigDict(extra="forbid")

    org_code: Annotated[str, Field(pattern=CODE_PATTERN)]
    basis: Annotated[MultilineText, Field(min_length=2, max_length=2000, description="列入依据")]
    task_id: Annotated[PlainText | None, Field(max_length=64)] = None


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["kept", "rectified"] = Field(description="kept 保留 / rectified 已整改")
    note: Annotated[MultilineText, Field(min_length=2, max_length=2000)]


class NegativeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    org_code: str
    period: str
    task_id: str | None
    source: str
    source_event_id: str | None
    basis: str
    listed_on: date
    created_by: str | None
    created_at: datetime
    review_outcome: str | None
    review_note: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None


NegativePage = Page[NegativeOut]
