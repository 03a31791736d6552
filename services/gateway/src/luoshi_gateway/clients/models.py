"""Machine clients of other platforms and the client assertions they have used (against replay)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_gateway.db import Base
from luoshi_kit.db import UtcDateTime


class MachineClient(Base):
    __tablename__ = "machine_client"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the OAuth2 client_id
    name: Mapped[str] = mapped_column(String(100))
    org_code: Mapped[str] = mapped_column(String(15), index=True)  # acts within this subtree
    actions: Mapped[list[str]] = mapped_column(JSON)
    secret_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # After a rotation the previous secret keeps working until this moment (the overlap).
    previous_secret_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    previous_secret_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    public_key_pem: Mapped[str | None] = mapped_column(Text, nullable=True)  # for signed JWT assertions
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class UsedAssertion(Base):
    """A client assertion's ``jti`` is good once; the row lives until the assertion would expire anyway."""

    __tablename__ = "machine_client_assertion"

    jti: Mapped[str] = mapped_column(String(200), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
