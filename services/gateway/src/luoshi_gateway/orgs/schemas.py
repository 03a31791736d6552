from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from luoshi_kit.text import PlainText
from luoshi_proto.divisions import CODE_PATTERN

OrgName = Annotated[PlainText, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class OrgOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    kind: str
    level: str
    parent_code: str | None
    synthetic: bool
    active: bool = True


class OrgCreate(BaseModel):
    """A department, or a government one tier below ``parent_code``.

    A department's code may be left out: the next free D01–D99 of the parent is taken.
    """

    model_config = ConfigDict(extra="forbid")

    kind: Literal["government", "department"]
    parent_code: Annotated[str, StringConstraints(pattern=r"^\d{12}$")]
    name: OrgName
    code: Annotated[str, StringConstraints(pattern=CODE_PATTERN)] | None = None


class OrgPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: OrgName | None = None
    active: bool | None = None
