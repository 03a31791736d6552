"""The scoring service (积分服务, 激励问责): rules, the points ledger, standings, rankings with approval and
publication, the negative list, self-checks, incentives, accountability and inspection exemptions."""

from __future__ import annotations

from fastapi import FastAPI

from luoshi_kit.messaging.bus import Bus
from luoshi_kit.service import ServiceSpec, create_service_app
from luoshi_scoring.config import ScoringSettings
from luoshi_scoring.db import TABLES
from luoshi_scoring.decisions.routes import accountability as accountability_router
from luoshi_scoring.decisions.routes import incentives as incentives_router
from luoshi_scoring.decisions.routes import public as public_decisions_router
from luoshi_scoring.exemptions.jobs import run_expiry_scans
from luoshi_scoring.exemptions.routes import router as exemptions_router
from luoshi_scoring.intake.handlers import HANDLERS as INTAKE_HANDLERS
from luoshi_scoring.ledger.routes import router as ledger_router
from luoshi_scoring.negative.routes import router as negative_router
from luoshi_scoring.orgs.handlers import HANDLERS as ORG_HANDLERS
from luoshi_scoring.rankings.routes import public_router as public_rankings_router
from luoshi_scoring.rankings.routes import router as rankings_router
from luoshi_scoring.rulebook.routes import router as rules_router
from luoshi_scoring.selfchecks.routes import router as selfchecks_router

SPEC = ServiceSpec(
    name="scoring",
    title="Luoshi 积分服务 (scoring)",
    tables=TABLES,
    routers=[
        rules_router,
        ledger_router,
        rankings_router,
        public_rankings_router,
        negative_router,
        selfchecks_router,
        incentives_router,
        accountability_router,
        public_decisions_router,
        exemptions_router,
    ],
    handlers=ORG_HANDLERS.merge(INTAKE_HANDLERS),
    background=[run_expiry_scans],
)


def create_app(settings: ScoringSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or ScoringSettings(), bus=bus)
