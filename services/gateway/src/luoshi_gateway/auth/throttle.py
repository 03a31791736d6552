"""Sign-in throttling per (account, address) and per address, with exponential back-off.

- Usernames are normalised (NFKC, trimmed, case-folded) before lookup and counting, so
  ``" ADMIN "`` and ``"ａｄｍｉｎ"`` count against ``admin``.
- A stranger's guesses lock ``admin`` only from the stranger's own address; the real user from
  another address still signs in. One address guessing many accounts hits the (higher) address
  limit. Each lock lasts twice as long as the one before (up to ``max_lock``); a success from that
  address clears the account's count there (never the address's).
- An attempt is counted *before* its password is checked, under a row lock (``SELECT … FOR UPDATE``
  on PostgreSQL): 40 parallel guesses check at most ``max_failures`` passwords.

Keys are hashed (a username plus an IPv6 address would not fit, and the table then holds no names).
Keyword-only, never commit.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.auth.models import SignInThrottle


def normalise_username(username: str) -> str:
    return unicodedata.normalize("NFKC", username).strip().casefold()[:64]


def _key(kind: str, *parts: str) -> str:
    return hashlib.sha256("\n".join((kind, *parts)).encode()).hexdigest()


def account_key(username: str, address: str) -> str:
    return _key("account", normalise_username(username), address)


def address_key(address: str) -> str:
    return _key("address", address)


@dataclass(frozen=True)
class Policy:
    max_failures: int
    """Failed sign-ins of one account from one address within ``window`` before it locks there."""
    address_max_failures: int
    """Failed sign-ins from one address (any accounts) within ``window`` before the address locks."""
    window: timedelta
    lock_for: timedelta
    """The first lock; each further one doubles, up to ``max_lock``."""
    max_lock: timedelta


def lock_length(lockouts: int, policy: Policy) -> timedelta:
    """The ``lockouts``-th lock (1 = the first)."""
    return min(policy.lock_for * (2 ** max(lockouts - 1, 0)), policy.max_lock)


def count_attempt(row: SignInThrottle, *, now: datetime, limit: int, policy: Policy) -> None:
    """One more attempt in ``row``: a new window after the old one ran out; the limit-th locks."""
    if row.lockouts and row.locked_until is not None and now - _aware(row.locked_until) > policy.max_lock:
        row.lockouts = 0  # quiet for long enough: back-off starts over
    if row.window_start is None or now - _aware(row.window_start) >= policy.window:
        row.window_start, row.failures = now, 0
    row.failures = (row.failures or 0) + 1
    if row.failures >= limit:
        row.lockouts = (row.lockouts or 0) + 1
        row.locked_until = now + lock_length(row.lockouts, policy)
        row.failures, row.window_start = 0, None


async def _locked_row(session: AsyncSession, key: str) -> SignInThrottle:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(SignInThrottle).values(key=key, failures=0, lockouts=0).on_conflict_do_nothing()
    )
    return (
        await session.scalars(
            select(SignInThrottle)
            .where(SignInThrottle.key == key)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one()


@dataclass(frozen=True)
class Reservation:
    refused_until: datetime | None
    """Locked already: refuse without checking the password."""
    locks_until: datetime | None
    """This attempt was the last one allowed: should it fail, the lock holds until then."""


async def reserve_attempt(
    *, session: AsyncSession, username: str, address: str, now: datetime, policy: Policy
) -> Reservation:
    """Counts an attempt before its password is checked (it counts as failed until ``succeeded``
    clears it); when a lock holds, the attempt is refused and not counted."""
    keys = sorted(
        [
            (address_key(address), policy.address_max_failures),
            (account_key(username, address), policy.max_failures),
        ]
    )  # one lock order for every caller: no deadlock between two sign-ins
    rows = [(await _locked_row(session, key), limit) for key, limit in keys]
    blocked = [_aware(r.locked_until) for r, _ in rows if r.locked_until and _aware(r.locked_until) > now]
    if blocked:
        return Reservation(max(blocked), None)
    for row, limit in rows:
        count_attempt(row, now=now, limit=limit, policy=policy)
    locks = [_aware(r.locked_until) for r, _ in rows if r.locked_until and _aware(r.locked_until) > now]
    return Reservation(None, max(locks) if locks else None)


async def succeeded(*, session: AsyncSession, username: str, address: str) -> None:
    """The right password: the account's count from this address starts over, and the attempt reserved
    against the address is given back (a right password is no guess; an office behind one NAT address
    signs in many people)."""
    await session.execute(delete(SignInThrottle).where(SignInThrottle.key == account_key(username, address)))
    await session.execute(
        update(SignInThrottle)
        .where(SignInThrottle.key == address_key(address), SignInThrottle.failures > 0)
        .values(failures=SignInThrottle.failures - 1)
    )


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
