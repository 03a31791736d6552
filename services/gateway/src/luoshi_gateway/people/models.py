"""People (人员), their organisation and roles, and their sign-in credentials."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_gateway.db import Base


class Person(Base):
    __tablename__ = "person"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    display_name: Mapped[str] = mapped_column(String(100))
    org_code: Mapped[str] = mapped_column(String(15), index=True)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    # None: the person cannot sign in with a password (e.g. seeded staff reached only by notices).
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
