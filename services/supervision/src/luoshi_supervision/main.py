"""The supervision service (督查服务): inspections, findings, rectification, urging, public clues.

Urges and supervision orders (催办/督办, ``urges/``): automatic from tasking's lagging/overdue alerts or by
hand, answered by the urged unit, escalated along the responsibility chain by a periodic scan. Public clues
(线索, ``clues/``): intake and lookup without sign-in under ``/api/v1/public/clues``, triage by the office.
"""

from __future__ import annotations

from fastapi import FastAPI

from luoshi_kit.messaging.bus import Bus
from luoshi_kit.service import ServiceSpec, create_service_app
from luoshi_supervision.clues.routes import public_router as public_clues_router
from luoshi_supervision.clues.routes import router as clues_router
from luoshi_supervision.config import SupervisionSettings
from luoshi_supervision.db import TABLES
from luoshi_supervision.urges.escalation import run_escalation_scans
from luoshi_supervision.urges.handlers import HANDLERS as URGE_HANDLERS
from luoshi_supervision.urges.routes import router as urges_router

SPEC = ServiceSpec(
    name="supervision",
    title="Luoshi 督查服务 (supervision)",
    tables=TABLES,
    routers=[urges_router, clues_router, public_clues_router],
    handlers=URGE_HANDLERS,
    background=[run_escalation_scans],
)


def create_app(settings: SupervisionSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or SupervisionSettings(), bus=bus)
