from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from luoshi_kit.paging import Page
from luoshi_kit.text import MultilineText
from luoshi_proto.divisions import CODE_PATTERN


class ExemptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_code: Annotated[str, Field(pattern=CODE_PATTERN)]
    starts_on: date = Field(description="免督查开始日期")
    ends_on: date = Field(description="免督查最后一日 (至多一年)")
    basis: Annotated[MultilineText, Field(min_length=2, max_length=5000, description="成效特别显著的依据")]


class ExemptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    org_code: str
    starts_on: date
    ends_on: date
    basis: str
    granted_by: str
    granted_org: str
    granted_at: datetime
    expired_announced_at: datetime | None
    in_force: bool = False


ExemptionPage = Page[ExemptionOut]
