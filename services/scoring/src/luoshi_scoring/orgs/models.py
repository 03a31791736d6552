"""The organisation tree scoring keeps locally (fed by gateway.org.upserted): rankings name every unit
of a tier, with or without entries, and self-checks know who must file."""

from __future__ import annotations

from sqlalchemy import Boolean, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_scoring.db import Base


class Org(Base):
    __tablename__ = "org"
    __table_args__ = (Index("ix_org_parent_level", "parent_code", "level"),)

    code: Mapped[str] = mapped_column(String(15), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20))
    parent_code: Mapped[str | None] = mapped_column(String(15), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
