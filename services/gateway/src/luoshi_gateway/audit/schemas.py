from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from luoshi_kit.paging import Page


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    action: str
    outcome: str
    actor_id: str | None
    actor_username: str | None
    actor_org: str | None
    target_type: str | None
    target_id: str | None
    target_org: str | None
    ip: str | None
    user_agent: str | None
    route: str | None
    details: dict[str, Any]


class AuditPage(Page[AuditOut]):
    pass
