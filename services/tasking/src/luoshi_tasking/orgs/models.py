"""The organisation tree tasking keeps locally, fed by gateway.org.upserted events, and how big the
gateway last said it is (gateway.org.tree_announced): the replica is loaded once it holds that many."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_kit.db import UtcDateTime
from luoshi_tasking.db import Base


class Org(Base):
    __tablename__ = "org"

    code: Mapped[str] = mapped_column(String(15), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20))
    parent_code: Mapped[str | None] = mapped_column(String(15), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class OrgTree(Base):
    """One row: the newest tree announcement (``gateway.org.tree_announced``)."""

    __tablename__ = "org_tree"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_count: Mapped[int] = mapped_column(Integer)
    root_code: Mapped[str] = mapped_column(String(15))
    announced_at: Mapped[datetime] = mapped_column(UtcDateTime())
