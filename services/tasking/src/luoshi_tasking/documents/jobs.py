"""The periodic 学习解读 scan, started with the app (register in main.py's ``background``)."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from luoshi_kit.timebase import business_today
from luoshi_tasking.documents.scan import scan_documents
from luoshi_tasking.documents.service import load_work_calendar

log = logging.getLogger(__name__)
DEFAULT_INTERVAL_SECONDS = 300.0
FIRST_DELAY_SECONDS = 30.0


def _interval(app: FastAPI) -> float:
    return max(float(getattr(app.state.settings, "document_scan_seconds", DEFAULT_INTERVAL_SECONDS)), 1.0)


async def run_document_scans(app: FastAPI) -> None:
    """Every N seconds: one transaction that loads the calendar, scans, and commits.

    Markers and the outbox make a repeated or concurrent scan harmless, so a restart loses nothing.
    """
    interval = _interval(app)
    await asyncio.sleep(FIRST_DELAY_SECONDS)  # let start-up (migrations, broker, org replica) settle first
    while True:
        try:
            async with app.state.sessionmaker() as session, session.begin():
                cal = await load_work_calendar(session)
                raised = await scan_documents(session=session, today=business_today(), cal=cal)
            if raised:
                log.info("document scan raised %d alerts", raised)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("document scan failed; retrying next round")
        await asyncio.sleep(interval)
