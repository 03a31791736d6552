"""The organisation tree (组织机构): governments by tier and their departments."""

from __future__ import annotations

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_gateway.db import Base
from luoshi_proto.gateway.v1 import OrgKind, OrgLevel


class Org(Base):
    __tablename__ = "org"

    code: Mapped[str] = mapped_column(String(15), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[OrgKind] = mapped_column(String(20))
    level: Mapped[OrgLevel] = mapped_column(String(20))
    parent_code: Mapped[str | None] = mapped_column(String(15), index=True, nullable=True)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
