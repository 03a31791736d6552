"""The part of the organisation tree tasking keeps locally, fed by gateway.org.upserted events."""

from __future__ import annotations

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_tasking.db import Base


class Org(Base):
    __tablename__ = "org"

    code: Mapped[str] = mapped_column(String(15), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20))
    parent_code: Mapped[str | None] = mapped_column(String(15), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
