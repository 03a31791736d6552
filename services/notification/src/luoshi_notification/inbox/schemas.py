from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from luoshi_kit.paging import CursorPage


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    title: str
    body: str
    subject: str | None
    org_code: str
    created_at: datetime
    read_at: datetime | None


class NotificationPage(CursorPage[NotificationOut]):
    """Newest first; ``next_cursor`` (pass it as ``before=``) reaches older messages."""

    unread: int = Field(description="未读消息总数 Unread messages in the whole inbox")
