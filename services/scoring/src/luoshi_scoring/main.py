"""The scoring service (积分服务): points ledger, rankings, negative list, exemptions.

Its domain arrives with its own issue; today it runs as a full member of the platform (database,
outbox relay, health, readiness and metrics) so deployments and dashboards already include it.
"""

from __future__ import annotations

from fastapi import FastAPI

from luoshi_kit.messaging.bus import Bus
from luoshi_kit.service import ServiceSpec, create_service_app
from luoshi_scoring.config import ScoringSettings
from luoshi_scoring.db import TABLES

SPEC = ServiceSpec(name="scoring", title="Luoshi 积分服务 (scoring)", tables=TABLES)


def create_app(settings: ScoringSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or ScoringSettings(), bus=bus)
