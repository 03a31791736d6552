"""Audit trail (全程留痕): sign-ins, permission denials and administrative changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_gateway.db import Base
from luoshi_kit.db import UtcDateTime


class AuditRecord(Base):
    __tablename__ = "audit_record"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    action: Mapped[str] = mapped_column(String(50), index=True)  # e.g. auth.sign_in, org.create
    outcome: Mapped[str] = mapped_column(String(20))  # success | failure | denied
    actor_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    actor_username: Mapped[str | None] = mapped_column(String(64), nullable=True)
    actor_org: Mapped[str | None] = mapped_column(String(15), nullable=True, index=True)
    target_type: Mapped[str | None] = mapped_column(String(20), nullable=True)  # org | person | route
    target_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    target_org: Mapped[str | None] = mapped_column(String(15), nullable=True, index=True)
    ip: Mapped[str | None] = mapped_column(String(45), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(300), nullable=True)
    route: Mapped[str | None] = mapped_column(String(300), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
