"""Public clues (群众线索): what a member of the public reported, and what the office made of it.

The reporter's personal data (name, contact) lives only here and is shown only to the office; the
receipt secret is stored as a hash; the client address only as a keyed hash (``address_key``), for the
per-address rate limit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime, utcnow
from luoshi_proto.supervision.v1 import ClueOutcome
from luoshi_supervision.clues.rules import ClueChannel, ClueState
from luoshi_supervision.db import Base


class Clue(Base):
    __tablename__ = "clue"
    __table_args__ = (
        Index("ix_clue_org_code", "org_code"),
        Index("ix_clue_address_received", "address_key", "received_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(24), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    received_org: Mapped[str] = mapped_column(String(15))  # the government whose office it was sent to
    org_code: Mapped[str] = mapped_column(String(15))  # the office handling it now (moves down on referral)
    category: Mapped[str] = mapped_column(String(50))
    channel: Mapped[ClueChannel] = mapped_column(String(12))
    content: Mapped[str] = mapped_column(Text)
    reporter_name: Mapped[str | None] = mapped_column(String(50), nullable=True)
    reporter_contact: Mapped[str | None] = mapped_column(String(100), nullable=True)
    address_key: Mapped[str] = mapped_column(String(64))
    state: Mapped[ClueState] = mapped_column(String(12), default="received")
    outcome: Mapped[ClueOutcome | None] = mapped_column(String(12), nullable=True)
    target_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)  # finding / inspection / org
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # for the office (dismissal: required)
    reply: Mapped[str | None] = mapped_column(Text, nullable=True)  # 回音: what the reporter is told
    triaged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    triaged_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
