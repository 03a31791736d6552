"""The periodic deadline scan. Reminders come from data (markers), never from in-memory timers, so a
restart or a second replica changes nothing: the next round picks up where the last one stopped."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import date

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luoshi_kit.timebase import business_today
from luoshi_tasking.calendar.service import load_calendar
from luoshi_tasking.deadlines.rules import DeadlineSettings
from luoshi_tasking.deadlines.scan import ALERT_CHUNK, ScanResult, plan_scan, raise_next, try_lock
from luoshi_tasking.deadlines.service import load_settings

log = logging.getLogger(__name__)
FIRST_DELAY_SECONDS = 30.0
ERROR_DELAY_SECONDS = 60.0


async def chunked_scan(
    *, session: AsyncSession, today: date, chunk: int = ALERT_CHUNK
) -> tuple[ScanResult, DeadlineSettings]:
    """Select the candidates in one transaction, apply the rules outside any, then raise ``chunk``
    alerts per transaction (markers and their outbox events commit together), each under the scan
    lock; ``session`` must not be in a transaction. If another replica takes the lock in between,
    it plans afresh (the committed markers exclude what is done) and this one stops."""
    longest = 0.0
    began = time.perf_counter()
    async with session.begin():
        settings = await load_settings(session=session)
        cal = await load_calendar(session=session)
        plan = await plan_scan(session=session, today=today, cal=cal, settings=settings)
    if plan is None:
        return ScanResult(today=today, skipped=True), settings
    longest = time.perf_counter() - began
    plan.result.transactions += 1
    await plan.decide_aside()
    while True:  # at least once: the last transaction records the scan as done
        began = time.perf_counter()
        async with session.begin():
            if not await try_lock(session):
                plan.result.complete = False
                break
            await raise_next(session=session, plan=plan, limit=chunk)
        longest = max(longest, time.perf_counter() - began)
        if plan.finished:
            break
    plan.result.longest_transaction = round(longest, 3)
    return plan.result, settings


async def run_scan_once(
    maker: async_sessionmaker[AsyncSession], chunk: int = ALERT_CHUNK
) -> tuple[ScanResult, DeadlineSettings]:
    """One round of the periodic scan for today's business date."""
    async with maker() as session:
        return await chunked_scan(session=session, today=business_today(), chunk=chunk)


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
                    "deadline scan: %d candidates, raised %s in %.3fs (%d transactions%s)",
                    result.candidates,
                    result.raised,
                    result.seconds,
                    result.transactions,
                    "" if result.complete else ", handed over to another replica",
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("deadline scan failed; retrying in %.0fs", delay)
        await asyncio.sleep(delay)
