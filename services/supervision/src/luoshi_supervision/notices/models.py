"""Exposure and commendation notices (曝光 / 宣传典型): one row per notice; a published row never changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_proto.supervision.v1 import NoticeKind
from luoshi_supervision.db import Base
from luoshi_supervision.notices.rules import NoticeState


class Notice(Base):
    __tablename__ = "notice"
    __table_args__ = (
        Index("ix_notice_issuing_org", "issuing_org"),
        Index("ix_notice_state_published", "state", "published_at"),
        Index("ix_notice_corrects", "corrects"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[NoticeKind] = mapped_column(String(14))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # units, people, what happened
    issuing_org: Mapped[str] = mapped_column(String(15))
    corrects: Mapped[str | None] = mapped_column(String(36), nullable=True)
    state: Mapped[NoticeState] = mapped_column(String(10), default="draft")
    return_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    drafted_by: Mapped[str] = mapped_column(String(64))
    approved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
