"""People (人员), their organisation and roles, role details, and their sign-in credentials."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_gateway.db import Base
from luoshi_kit.db import UtcDateTime
from luoshi_proto.gateway.v1 import Role


class Person(Base):
    __tablename__ = "person"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    display_name: Mapped[str] = mapped_column(String(100))
    org_code: Mapped[str] = mapped_column(String(15), index=True)
    roles: Mapped[list[Role]] = mapped_column(JSON, default=list)
    # None: the person cannot sign in with a password (e.g. seeded staff reached only by notices).
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Subject of the person at the external OpenID Connect provider (统一身份认证).
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    # deputy (分管负责同志): the areas they oversee (分管领域).
    overseen_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    # inspector (督查专员): full_time 专职 | part_time 兼职 | special 特邀.
    inspector_type: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # representative (两代表一委员): party_congress 党代表 | npc 人大代表 | cppcc 政协委员.
    representative_type: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # assessor (第三方评估): the assignment they work on and the window in which they may act.
    assessor_assignment: Mapped[str | None] = mapped_column(String(100), nullable=True)
    assessor_valid_from: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    assessor_valid_to: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
