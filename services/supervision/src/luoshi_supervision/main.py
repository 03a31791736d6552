"""The supervision service (督查服务): inspections, findings, rectification, urging, public clues.

Inspections of every kind (``inspections/``), findings and rectification with listed supervision and the
overdue scan (``rectifications/``), exemptions from scoring's events (``exemptions/``), burden control and
the representatives' yearly check (``burden/``).

Urges and supervision orders (催办/督办, ``urges/``): automatic from tasking's lagging/overdue alerts or by
hand, answered by the urged unit, escalated along the responsibility chain by a periodic scan. Public clues
(线索, ``clues/``): intake and lookup without sign-in under ``/api/v1/public/clues``, triage by the office.
Notices (曝光/宣传典型, ``notices/``): drafted by the office, approved by its principal, then public
and immutable.
"""

from __future__ import annotations

from fastapi import FastAPI

from luoshi_kit.messaging.bus import Bus
from luoshi_kit.service import ServiceSpec, create_service_app
from luoshi_supervision.burden.routes import router as burden_router
from luoshi_supervision.clues.routes import public_router as public_clues_router
from luoshi_supervision.clues.routes import router as clues_router
from luoshi_supervision.config import SupervisionSettings
from luoshi_supervision.db import TABLES
from luoshi_supervision.exemptions.handlers import HANDLERS as EXEMPTION_HANDLERS
from luoshi_supervision.exemptions.routes import router as exemptions_router
from luoshi_supervision.inspections.evidence import EVIDENCE_PATH
from luoshi_supervision.inspections.routes import router as inspections_router
from luoshi_supervision.notices.routes import public_router as public_notices_router
from luoshi_supervision.notices.routes import router as notices_router
from luoshi_supervision.rectifications.routes import router as rectifications_router
from luoshi_supervision.rectifications.scan import run_rectification_scans
from luoshi_supervision.urges.escalation import run_escalation_scans
from luoshi_supervision.urges.handlers import HANDLERS as URGE_HANDLERS
from luoshi_supervision.urges.routes import router as urges_router

SPEC = ServiceSpec(
    name="supervision",
    title="Luoshi 督查服务 (supervision)",
    tables=TABLES,
    routers=[
        inspections_router,
        rectifications_router,
        exemptions_router,
        burden_router,
        urges_router,
        clues_router,
        public_clues_router,
        notices_router,
        public_notices_router,
    ],
    handlers=URGE_HANDLERS.merge(EXEMPTION_HANDLERS),
    background=[run_rectification_scans, run_escalation_scans],
    upload_paths=[EVIDENCE_PATH],
)


def create_app(settings: SupervisionSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or SupervisionSettings(), bus=bus)
