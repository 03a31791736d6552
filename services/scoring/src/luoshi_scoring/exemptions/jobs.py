"""The periodic expiry scan: computed from the data, so a restart loses nothing and repeats nothing."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from luoshi_kit.timebase import business_today
from luoshi_scoring.exemptions.service import EXPIRY_CHUNK, announce_expired

log = logging.getLogger(__name__)
FIRST_DELAY_SECONDS = 20.0
INTERVAL_SECONDS = 900.0


async def run_expiry_scans(app: FastAPI) -> None:
    await asyncio.sleep(FIRST_DELAY_SECONDS)
    while True:
        try:
            while True:
                async with app.state.sessionmaker() as session, session.begin():
                    count = await announce_expired(session=session, today=business_today())
                if count:
                    log.info("announced the end of %d inspection exemptions", count)
                if count < EXPIRY_CHUNK:
                    break
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("exemption expiry scan failed")
        await asyncio.sleep(INTERVAL_SECONDS)
