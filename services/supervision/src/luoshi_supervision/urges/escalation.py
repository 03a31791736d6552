"""Escalation of unanswered urges (催办/督办升级), computed from data by a periodic scan.

No in-memory timers: each urge carries its answer deadline (``answer_due_at``, working hours counted); the
scan raises every open urge whose deadline passed one step up the chain. Each step happens once, with any
number of replicas and across restarts: the scan claims due rows with ``SELECT … FOR UPDATE SKIP LOCKED``
(another replica skips what this one holds, and sees the new deadline once it commits), and the unique
step key (urge, "escalated", level) is the final guard. Keyword-only and never commits, except the job.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luoshi_kit.db import utcnow
from luoshi_kit.messaging.outbox import add_event
from luoshi_kit.workcalendar import WorkCalendar
from luoshi_proto.supervision.v1 import UrgeEscalated
from luoshi_supervision.config import SupervisionSettings
from luoshi_supervision.urges import rules
from luoshi_supervision.urges.models import Urge
from luoshi_supervision.urges.service import CALENDAR, SOURCE, add_step, urge_ref

log = logging.getLogger(__name__)
SCAN_CHUNK = 500
FIRST_DELAY_SECONDS = 20.0


async def escalate_due(
    *,
    session: AsyncSession,
    now: datetime,
    answer_hours: float,
    cal: WorkCalendar = CALENDAR,
    limit: int = SCAN_CHUNK,
) -> int:
    """Raise up to ``limit`` overdue open urges one step each; the number raised."""
    query = (
        select(Urge)
        .where(Urge.state == "open", Urge.level < rules.TOP_LEVEL, Urge.answer_due_at <= now)
        .order_by(Urge.answer_due_at, Urge.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    raised = 0
    for urge in (await session.scalars(query)).all():
        if not rules.escalation_due(
            state=urge.state, level=urge.level, answer_due_at=urge.answer_due_at, now=now
        ):
            continue
        step_up = rules.next_level(urge.level)
        if step_up is None:
            continue
        from_role = urge.recipient_role
        due_at = rules.add_working_hours(now, answer_hours, cal)
        urge.level, urge.recipient_role = step_up, rules.role_at(step_up)
        urge.answer_due_at, urge.answer_due = due_at, rules.due_date(due_at)
        urge.escalated_at, urge.updated_at = now, now
        add_step(
            session=session,
            urge=urge,
            action="escalated",
            at=now,
            note=f"逾期未答复, 由{rules.CHAIN_ZH[from_role]}升级至{rules.CHAIN_ZH[urge.recipient_role]}",
        )
        add_event(
            session=session,
            source=SOURCE,
            orgcode=urge.org_code,
            subject=urge.id,
            data=UrgeEscalated(urge=urge_ref(urge), at=now, from_role=from_role),
        )
        raised += 1
    await session.flush()
    return raised


async def scan_once(maker: async_sessionmaker[AsyncSession], settings: SupervisionSettings) -> int:
    """Escalate everything due now, a chunk per transaction (each chunk's rows leave the due set)."""
    total = 0
    while True:
        async with maker() as session, session.begin():
            raised = await escalate_due(
                session=session, now=utcnow(), answer_hours=settings.escalation_answer_working_hours
            )
        total += raised
        if raised < SCAN_CHUNK:
            return total


async def run_escalation_scans(app: FastAPI) -> None:
    settings: SupervisionSettings = app.state.settings
    await asyncio.sleep(min(FIRST_DELAY_SECONDS, settings.urge_scan_seconds))
    while True:
        try:
            raised = await scan_once(app.state.sessionmaker, settings)
            if raised:
                log.info("urge escalation scan: %d raised one step", raised)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("urge escalation scan failed; retrying")
        await asyncio.sleep(settings.urge_scan_seconds)
