"""Lock-out after repeated failed sign-ins, per username (unknown usernames are counted alike)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.auth.models import SignInThrottle


def throttle_key(username: str) -> str:
    return username.strip().lower()[:64]


def next_state(
    row: SignInThrottle, *, now: datetime, max_failures: int, window: timedelta, lock_for: timedelta
) -> None:
    """Count one failure into ``row``: a failure after the window starts a new one; the last allowed locks."""
    if row.window_start is None or now - row.window_start >= window:
        row.window_start, row.failures = now, 0
    row.failures = (row.failures or 0) + 1
    if row.failures >= max_failures:
        row.locked_until = now + lock_for
        row.failures, row.window_start = 0, None


async def locked_until(*, session: AsyncSession, username: str, now: datetime) -> datetime | None:
    row = await session.get(SignInThrottle, throttle_key(username))
    if row is None or row.locked_until is None:
        return None
    until = _aware(row.locked_until)
    return until if until > now else None


async def register_failure(
    *,
    session: AsyncSession,
    username: str,
    now: datetime,
    max_failures: int,
    window: timedelta,
    lock_for: timedelta,
) -> datetime | None:
    """Count a failure; returns when the username is locked until, if this failure locked it."""
    key = throttle_key(username)
    # Insert-if-missing, then lock the row: concurrent failures of one username count one by one.
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(insert(SignInThrottle).values(username=key, failures=0).on_conflict_do_nothing())
    row = (
        await session.scalars(
            select(SignInThrottle)
            .where(SignInThrottle.username == key)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one()
    if row.window_start is not None:
        row.window_start = _aware(row.window_start)
    next_state(row, now=now, max_failures=max_failures, window=window, lock_for=lock_for)
    return row.locked_until if row.failures == 0 else None


async def clear(*, session: AsyncSession, username: str) -> None:
    await session.execute(delete(SignInThrottle).where(SignInThrottle.username == throttle_key(username)))


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
