"""The overdue scan (逾期未整改): computed from data — the deadline and the ``overdue_raised_for`` marker —
never from timers, so a restart or a second replica raises nothing twice (rows are taken ``FOR UPDATE SKIP
LOCKED``; the marker commits with the event)."""

from __future__ import annotations

import asyncio
import logging
from datetime import date

from fastapi import FastAPI
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luoshi_kit.db import utcnow
from luoshi_kit.timebase import business_today
from luoshi_proto.supervision.v1 import RectificationOverdue
from luoshi_supervision.config import SupervisionSettings
from luoshi_supervision.rectifications.flows import escalate
from luoshi_supervision.rectifications.lifecycle import publish, rectification_ref, trace
from luoshi_supervision.rectifications.models import Rectification
from luoshi_supervision.rectifications.workdays import working_days_between

log = logging.getLogger(__name__)
CHUNK = 100
FIRST_DELAY_SECONDS = 20.0


async def scan_chunk(
    *, session: AsyncSession, today: date, settings: SupervisionSettings, limit: int = CHUNK
) -> int:
    """Raise the overdue alert of up to ``limit`` items in the caller's transaction; how many were raised."""
    query = (
        select(Rectification)
        .where(
            Rectification.state == "rectifying",
            Rectification.deadline < today,
            or_(
                Rectification.overdue_raised_for.is_(None),
                Rectification.overdue_raised_for != Rectification.deadline,
            ),
        )
        .order_by(Rectification.deadline, Rectification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    items = list((await session.scalars(query)).all())
    for item in items:
        now = utcnow()
        item.overdue_raised_for = item.deadline
        late = working_days_between(item.deadline, today)
        trace(
            session=session,
            item=item,
            identity=None,
            action="overdue",
            at=now,
            detail={"deadline": item.deadline.isoformat(), "working_days_overdue": late},
        )
        await escalate(
            session=session,
            identity=None,
            item=item,
            today=today,
            settings=settings,
            reason=f"逾期未整改 overdue since {item.deadline.isoformat()}",
        )
        publish(
            session=session,
            item=item,
            data=RectificationOverdue(
                rectification=rectification_ref(item), at=now, working_days_overdue=late
            ),
        )
    return len(items)


async def scan(
    maker: async_sessionmaker[AsyncSession], *, today: date, settings: SupervisionSettings, limit: int = CHUNK
) -> int:
    """Chunk after chunk, one transaction each, until nothing is left; the total raised."""
    total = 0
    while True:
        async with maker() as session, session.begin():
            raised = await scan_chunk(session=session, today=today, settings=settings, limit=limit)
        total += raised
        if raised < limit:
            return total


async def run_rectification_scans(app: FastAPI) -> None:
    settings: SupervisionSettings = app.state.settings
    await asyncio.sleep(FIRST_DELAY_SECONDS)
    while True:
        try:
            raised = await scan(app.state.sessionmaker, today=business_today(), settings=settings)
            if raised:
                log.info("rectification scan: %d overdue items raised", raised)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("rectification scan failed")
        await asyncio.sleep(settings.rectification_scan_seconds)
