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
    urgent: bool = False
    created_at: datetime
    read_at: datetime | None


class NotificationPage(CursorPage[NotificationOut]):
    """Newest first; ``next_cursor`` (pass it as ``before=``) reaches older messages."""

    unread: int = Field(description="未读消息总数 Unread messages in the whole inbox")


class UnreadCount(BaseModel):
    unread: int = Field(description="未读消息总数 Unread messages")


class MarkedRead(BaseModel):
    marked: int = Field(description="本次标记为已读的消息数 Messages marked read")


class SendOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    channel: str = Field(description="in_app / email / sms / im")
    status: str = Field(description="pending / sending / sent / failed / unknown / skipped")
    attempts: int
    escalation: bool = Field(description="未读提级重发 the urgent re-send")
    next_attempt_at: datetime
    finished_at: datetime | None
    last_error: str | None
