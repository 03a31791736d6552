"""The send worker and the urgent re-send scan, started with the app. Both work from data (due records,
markers), never from in-memory timers; several replicas share the work (rows are claimed FOR UPDATE SKIP
LOCKED)."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luoshi_kit.db import utcnow
from luoshi_notification.channels.registry import Channels
from luoshi_notification.config import NotificationSettings
from luoshi_notification.sends.escalation import escalate_due
from luoshi_notification.sends.service import claim_due, finish, reconcile

log = logging.getLogger(__name__)


async def send_round(
    maker: async_sessionmaker[AsyncSession], channels: Channels, settings: NotificationSettings
) -> int:
    """Reconcile, claim what is due (committed ``sending`` before any send), send each, record each
    outcome."""
    async with maker() as session, session.begin():
        await reconcile(session=session, now=utcnow(), lease_seconds=settings.send_lease_seconds)
        claimed = await claim_due(session=session, channels=channels, now=utcnow())
    for job in claimed:
        outcome = await channels.adapters[job.channel].send(job.message)
        async with maker() as session, session.begin():
            await finish(
                session=session,
                send_id=job.send_id,
                outcome=outcome,
                max_attempts=settings.send_max_attempts,
                backoff_seconds=settings.send_backoff_seconds,
            )
    return len(claimed)


async def escalation_round(
    maker: async_sessionmaker[AsyncSession], channels: Channels, settings: NotificationSettings
) -> int:
    async with maker() as session, session.begin():
        return await escalate_due(session=session, channels=channels, settings=settings, now=utcnow())


async def _loop(name: str, seconds: float, round_: object, *args: object, wait_first: bool = False) -> None:
    if wait_first:
        await asyncio.sleep(seconds)
    while True:
        try:
            done = await round_(*args)  # type: ignore[operator]
            if done:
                log.info("%s: %d", name, done)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed; retrying", name)
        await asyncio.sleep(seconds)


async def run_sends(app: FastAPI) -> None:
    settings: NotificationSettings = app.state.settings
    await _loop(
        "send round",
        settings.send_poll_seconds,
        send_round,
        app.state.sessionmaker,
        app.state.channels,
        settings,
    )


async def run_escalations(app: FastAPI) -> None:
    settings: NotificationSettings = app.state.settings
    await _loop(
        "urgent re-send",
        settings.escalation_poll_seconds,
        escalation_round,
        app.state.sessionmaker,
        app.state.channels,
        settings,
        wait_first=True,
    )
