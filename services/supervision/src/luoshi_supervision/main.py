"""The supervision service (督查服务): inspections, findings, rectification, urging, public clues.

Its domain arrives with its own issue; today it runs as a full member of the platform (database,
outbox relay, health, readiness and metrics) so deployments and dashboards already include it.
"""

from __future__ import annotations

from fastapi import FastAPI

from luoshi_kit.messaging.bus import Bus
from luoshi_kit.service import ServiceSpec, create_service_app
from luoshi_supervision.config import SupervisionSettings
from luoshi_supervision.db import TABLES

SPEC = ServiceSpec(name="supervision", title="Luoshi 督查服务 (supervision)", tables=TABLES)


def create_app(settings: SupervisionSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or SupervisionSettings(), bus=bus)
