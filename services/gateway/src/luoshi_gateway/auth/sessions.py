"""Refresh tokens with rotation, and sign-out. Keyword-only, never commit.

A refresh token is an opaque random string; only its sha256 is stored. Each use hands out a new one
in the same family; a token presented a second time means it leaked, so its whole family is revoked.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.auth.models import RefreshToken, RevokedAccessToken


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def issue_refresh_token(
    *, session: AsyncSession, person_id: str, days: int, now: datetime, family_id: str | None = None
) -> tuple[str, str]:
    """A new refresh token (returned once, stored hashed) and its family id."""
    token = secrets.token_urlsafe(32)
    family = family_id or str(uuid.uuid4())
    session.add(
        RefreshToken(
            token_hash=hash_token(token),
            family_id=family,
            person_id=person_id,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    return token, family


async def use_refresh_token(*, session: AsyncSession, token: str, now: datetime) -> RefreshToken | None:
    """Mark a refresh token used and return it; None when it is unknown, expired, revoked or reused.

    A reuse revokes the family in this transaction: the caller commits before refusing.
    """
    row = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == hash_token(token)).with_for_update()
    )
    if row is None or row.revoked_at is not None:
        return None
    if row.used_at is not None:
        await revoke_family(session=session, family_id=row.family_id, now=now)
        return None
    expires_at = _aware(row.expires_at)
    if expires_at is None or expires_at <= now:
        return None
    row.used_at = now
    return row


async def revoke_family(*, session: AsyncSession, family_id: str, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def revoke_person(*, session: AsyncSession, person_id: str, now: datetime) -> None:
    """Every refresh token of a person (password changed, deactivated)."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.person_id == person_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def revoke_access_token(*, session: AsyncSession, jti: str, expires_at: datetime) -> None:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(RevokedAccessToken).values(jti=jti, expires_at=expires_at).on_conflict_do_nothing()
    )


async def is_revoked(*, session: AsyncSession, jti: str) -> bool:
    return await session.get(RevokedAccessToken, jti) is not None


async def is_family_revoked(*, session: AsyncSession, family_id: str) -> bool:
    """Sign-out, a reused refresh token, a password change or deactivation revoked this sign-in:
    the access tokens issued in it (claim ``sid``) are refused too."""
    revoked = await session.scalar(
        select(RefreshToken.token_hash)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_not(None))
        .limit(1)
    )
    return revoked is not None


async def purge_expired(*, session: AsyncSession, now: datetime) -> None:
    """Drop deny-list rows and refresh tokens that can no longer be used anyway (a periodic job)."""
    await session.execute(delete(RevokedAccessToken).where(RevokedAccessToken.expires_at < now))
    await session.execute(delete(RefreshToken).where(RefreshToken.expires_at < now))
