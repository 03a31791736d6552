"""Events the gateway publishes about organisations and people."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from luoshi_proto.divisions import CODE_PATTERN

OrgKind = Literal["government", "department"]
OrgLevel = Literal["province", "city", "county", "township"]
Role = Literal[
    "principal",  # 主要负责同志
    "deputy",  # 分管负责同志
    "handler",  # 具体承办人
    "office",  # 督查室 / 办公厅
    "inspector",  # 督查专员
    "representative",  # 两代表一委员
    "assessor",  # 第三方评估
    "admin",
]


class OrgUpserted(BaseModel):
    """gateway.org.upserted.v1 — an organisation was created or changed (组织机构)."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str
    kind: OrgKind
    level: OrgLevel
    parent_code: str | None = None
    synthetic: bool = False
    active: bool = True


class PersonUpserted(BaseModel):
    """gateway.person.upserted.v1 — a person was created or changed (人员)."""

    person_id: str
    display_name: str
    org_code: str = Field(pattern=CODE_PATTERN)
    roles: list[Role]
    active: bool = True
