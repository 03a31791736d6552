"""Rule settings of the deadline engine. Keyword-only, never commit: the caller owns the transaction."""

from __future__ import annotations

from dataclasses import asdict, fields, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.cache import ProcessCache
from luoshi_kit.db import utcnow
from luoshi_tasking.deadlines.models import DeadlineRule
from luoshi_tasking.deadlines.rules import DeadlineSettings

_KEYS = tuple(f.name for f in fields(DeadlineSettings))


SETTINGS = ProcessCache[DeadlineSettings]("deadline-settings", ttl=10.0)


async def load_settings(*, session: AsyncSession) -> DeadlineSettings:
    """The deadline rules in force (cached per process)."""
    return await SETTINGS.get(session, _read_settings)


async def _read_settings(session: AsyncSession) -> DeadlineSettings:
    rows = (await session.scalars(select(DeadlineRule).where(DeadlineRule.key.in_(_KEYS)))).all()
    return replace(DeadlineSettings(), **{row.key: row.value for row in rows})


async def settings_audit(*, session: AsyncSession) -> tuple[str | None, datetime | None]:
    """Who changed the rules last, and when (None, None while they are the defaults)."""
    row = await session.scalar(select(DeadlineRule).order_by(DeadlineRule.updated_at.desc()).limit(1))
    return (row.updated_by, row.updated_at) if row else (None, None)


async def save_settings(*, session: AsyncSession, settings: DeadlineSettings, updated_by: str) -> None:
    SETTINGS.changed(session)
    now = utcnow()
    existing = {r.key: r for r in (await session.scalars(select(DeadlineRule))).all()}
    for key, value in asdict(settings).items():
        row = existing.get(key)
        if row is None:
            session.add(DeadlineRule(key=key, value=value, updated_by=updated_by, updated_at=now))
        else:
            row.value, row.updated_by, row.updated_at = value, updated_by, now
    await session.flush()
