"""Sign-in state: refresh tokens (hashed), revoked access tokens, and failed sign-ins per username."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from luoshi_gateway.db import Base
from luoshi_kit.db import UtcDateTime


class RefreshToken(Base):
    """One refresh token; rotation chains tokens of one sign-in into a family (``family_id``)."""

    __tablename__ = "refresh_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex
    family_id: Mapped[str] = mapped_column(String(36), index=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class RevokedAccessToken(Base):
    """Deny-list of signed-out access tokens; a row can go once the token would have expired anyway."""

    __tablename__ = "revoked_access_token"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class SignInThrottle(Base):
    """Attempts counted against one throttle key (an account from an address, or an address alone;
    stored hashed) in the current window, the lock and how many locks came before (back-off)."""

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    lockouts: Mapped[int] = mapped_column(Integer, default=0)
