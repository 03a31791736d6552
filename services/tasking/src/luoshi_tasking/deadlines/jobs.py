"""The periodic deadline scan. Reminders come from data (markers), never from in-memory timers, so a
restart or a second replica changes nothing: the next round picks up where the last one stopped."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luoshi_tasking.calendar.service import load_calendar
from luoshi_tasking.deadlines.rules import DeadlineSettings, business_today
from luoshi_tasking.deadlines.scan import ScanResult, scan
from luoshi_tasking.deadlines.service import load_settings

log = logging.getLogger(__name__)
FIRST_DELAY_SECONDS = 30.0
ERROR_DELAY_SECONDS = 60.0


async def run_scan_once(maker: async_sessionmaker[AsyncSession]) -> tuple[ScanResult, DeadlineSettings]:
    """One round in one transaction: the markers and their outbox events commit together."""
    async with maker() as session, session.begin():
        settings = await load_settings(session=session)
        cal = await load_calendar(session=session)
        result = await scan(session=session, today=business_today(), cal=cal, settings=settings)
    return result, settings


async def run_deadline_scans(app: FastAPI) -> None:
    await asyncio.sleep(FIRST_DELAY_SECONDS)  # let start-up (migrations, broker) settle first
    while True:
        delay = ERROR_DELAY_SECONDS
        try:
            result, settings = await run_scan_once(app.state.sessionmaker)
            delay = settings.scan_interval_seconds
            if result.skipped:
                log.debug("deadline scan skipped: another replica holds the lock")
            else:
                log.info(
                    "deadline scan: %d candidates, raised %s in %.3fs",
                    result.candidates,
                    result.raised,
                    result.seconds,
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("deadline scan failed; retrying in %.0fs", delay)
        await asyncio.sleep(delay)
