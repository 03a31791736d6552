from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class OrgOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    kind: str
    level: str
    parent_code: str | None
    synthetic: bool
