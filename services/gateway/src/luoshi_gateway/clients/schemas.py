from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from luoshi_kit.paging import Page

OrgCode = Annotated[str, StringConstraints(pattern=r"^\d{12}(-[a-z0-9]{1,2})?$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
ActionName = Annotated[str, StringConstraints(min_length=1, max_length=40)]
PublicKey = Annotated[str, StringConstraints(min_length=1, max_length=8000)]


class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    org_code: OrgCode
    actions: list[ActionName] = Field(min_length=1, max_length=20)
    public_key_pem: PublicKey | None = None


class ClientPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    actions: list[ActionName] | None = Field(None, min_length=1, max_length=20)
    public_key_pem: PublicKey | None = None
    active: bool | None = None


class SecretRotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overlap_hours: int = Field(
        24, ge=0, le=720, description="旧密钥继续有效的小时数 Hours the old secret still works"
    )


class ClientOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    org_code: str
    actions: list[str]
    has_public_key: bool
    active: bool
    created_by: str
    created_at: datetime
    previous_secret_until: datetime | None


class ClientWithSecret(ClientOut):
    client_secret: str = Field(description="只显示这一次 Shown only this once")


class ClientPage(Page[ClientOut]):
    pass


class ActionOut(BaseModel):
    name: str
    title: str
    role: str
