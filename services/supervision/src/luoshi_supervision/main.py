"""The supervision service (督查服务): inspections, findings, rectification, urging, public clues.

Part A (this file's first block): inspections of every kind, findings and rectification with listed
supervision, exemptions, burden control, the representatives' yearly check.
"""

from __future__ import annotations

from fastapi import FastAPI

from luoshi_kit.messaging.bus import Bus
from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_kit.service import ServiceSpec, create_service_app
from luoshi_supervision.burden.routes import router as burden_router
from luoshi_supervision.config import SupervisionSettings
from luoshi_supervision.db import TABLES
from luoshi_supervision.exemptions.handlers import HANDLERS as EXEMPTION_HANDLERS
from luoshi_supervision.exemptions.routes import router as exemptions_router
from luoshi_supervision.inspections.evidence import EVIDENCE_PATH
from luoshi_supervision.inspections.routes import router as inspections_router
from luoshi_supervision.rectifications.routes import router as rectifications_router
from luoshi_supervision.rectifications.scan import run_rectification_scans

HANDLERS = HandlerTable().merge(EXEMPTION_HANDLERS)

SPEC = ServiceSpec(
    name="supervision",
    title="Luoshi 督查服务 (supervision)",
    tables=TABLES,
    routers=[inspections_router, rectifications_router, exemptions_router, burden_router],
    handlers=HANDLERS,
    background=[run_rectification_scans],
    upload_paths=[EVIDENCE_PATH],
)


def create_app(settings: SupervisionSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or SupervisionSettings(), bus=bus)
