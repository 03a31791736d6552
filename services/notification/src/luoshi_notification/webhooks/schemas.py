from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from luoshi_kit.paging import CursorPage
from luoshi_kit.text import PlainText
from luoshi_proto.divisions import CODE_PATTERN

EventFilter = Annotated[str, Field(min_length=3, max_length=120, pattern=r"^[a-z_.*0-9]+$")]


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[PlainText, Field(min_length=1, max_length=100, description="订阅名称, 如 公文系统")]
    url: Annotated[str, Field(min_length=8, max_length=2000, description="接收地址 https://…")]
    scope_org: Annotated[str, Field(pattern=CODE_PATTERN, description="只推送本单位及下级的事件")]
    event_types: list[EventFilter] = Field(
        default_factory=list, max_length=60, description="事件类型或通配, 如 supervision.*; 空表示全部"
    )


class SubscriptionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[PlainText, Field(min_length=1, max_length=100)] | None = None
    url: Annotated[str, Field(min_length=8, max_length=2000)] | None = None
    event_types: list[EventFilter] | None = Field(default=None, max_length=60)
    active: bool | None = Field(default=None, description="启用 / 停用 (启用时清零连续失败次数)")


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    url: str
    scope_org: str
    event_types: list[str]
    active: bool
    consecutive_failures: int
    disabled_reason: str | None
    previous_secret_until: datetime | None
    created_at: datetime


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="签名密钥 whsec_…, 只显示这一次 (shown once)")


class SecretRotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overlap_hours: float | None = Field(default=None, ge=0, le=168, description="新旧密钥同时签名的小时数")


class SecretRotated(BaseModel):
    secret: str = Field(description="新的签名密钥, 只显示这一次")
    previous_valid_until: datetime | None


class AttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    at: datetime
    status_code: int | None
    error: str | None
    seconds: float


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    event_id: str
    event_type: str
    status: str = Field(description="pending / sending / delivered / dead (死信)")
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


class DeliveryDetail(DeliveryOut):
    body: str
    attempt_log: list[AttemptOut]


class DeliveryPage(CursorPage[DeliveryOut]):
    """Newest first; ``next_cursor`` (pass it as ``before=``) reaches older deliveries."""


class Replayed(BaseModel):
    replayed: int
