"""The gateway (网关): the one public entry — organisations, people, sign-in, routing to services."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from luoshi_gateway.audit.handlers import install_denial_audit
from luoshi_gateway.audit.routes import router as audit_router
from luoshi_gateway.auth.routes import router as auth_router
from luoshi_gateway.auth.sessions import purge_expired
from luoshi_gateway.bulletins.routes import router as bulletins_router
from luoshi_gateway.clients.routes import router as clients_router
from luoshi_gateway.config import GatewaySettings
from luoshi_gateway.db import TABLES
from luoshi_gateway.orgs.routes import router as orgs_router
from luoshi_gateway.orgs.service import announce_tree
from luoshi_gateway.people.routes import router as people_router
from luoshi_gateway.proxy.client import UPLOAD_PATHS, ServiceClient
from luoshi_gateway.proxy.fastpath import install_fast_proxy
from luoshi_gateway.proxy.openapi import mount_docs_assets
from luoshi_gateway.proxy.openapi import router as openapi_router
from luoshi_gateway.proxy.public import router as public_router
from luoshi_gateway.proxy.routes import router as proxy_router
from luoshi_gateway.views.dashboard import DashboardRoute
from luoshi_gateway.views.handlers import HANDLERS as VIEW_HANDLERS
from luoshi_gateway.views.routes import router as views_router
from luoshi_gateway.views.scoring_handlers import HANDLERS as SCORING_VIEW_HANDLERS
from luoshi_gateway.views.supervision_handlers import SUPERVISION_VIEW_HANDLERS
from luoshi_gateway.views.supervision_routes import router as supervision_views_router
from luoshi_gateway.views.timeline_supervision import HANDLERS as URGE_TIMELINE_HANDLERS
from luoshi_gateway.web.routes import router as web_router
from luoshi_gateway.web.rules import DIST as WEB_DIST
from luoshi_kit.db import utcnow
from luoshi_kit.fast_routes import install
from luoshi_kit.messaging.bus import Bus
from luoshi_kit.service import ServiceSpec, create_service_app


async def _close_service_client(app: FastAPI) -> None:
    try:
        await asyncio.Event().wait()
    finally:
        await app.state.services.close()


async def _purge_expired_sign_ins(app: FastAPI) -> None:
    """Hourly: drop deny-list rows and refresh tokens that can no longer be used anyway."""
    while True:
        await asyncio.sleep(3600)
        try:
            async with app.state.sessionmaker() as session, session.begin():
                await purge_expired(session=session, now=utcnow())
        except Exception:
            log.exception("purging expired sign-in records failed")


async def _announce_tree(app: FastAPI) -> None:
    """Once at start: the replicas learn how big the tree is (retried until the database answers)."""
    delay = 0.5
    while True:
        try:
            async with app.state.sessionmaker() as session, session.begin():
                await announce_tree(session=session)
            return
        except Exception:
            log.warning("announcing the organisation tree failed; retrying in %.1fs", delay, exc_info=True)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)


log = logging.getLogger(__name__)

SPEC = ServiceSpec(
    name="gateway",
    title="Luoshi 落实 — 政府督查管理平台 API",
    tables=TABLES,
    # The proxy's catch-all comes after the gateway's own routes (and views such as
    # /api/v1/tasks/{id}/timeline), and the web UI's catch-all (``/{path}``, never ``/api/...``) last.
    routers=[
        auth_router,
        orgs_router,
        people_router,
        audit_router,
        clients_router,
        views_router,
        supervision_views_router,
        openapi_router,
        bulletins_router,
        public_router,
        proxy_router,
        web_router,
    ],
    handlers=VIEW_HANDLERS.merge(SUPERVISION_VIEW_HANDLERS, SCORING_VIEW_HANDLERS, URGE_TIMELINE_HANDLERS),
    background=[_close_service_client, _purge_expired_sign_ins, _announce_tree],
    upload_paths=UPLOAD_PATHS,
    public=True,
)


def create_app(settings: GatewaySettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    if not settings.jwt_secret:
        raise RuntimeError("LUOSHI_JWT_SECRET must be set (the key of access tokens)")
    app = create_service_app(SPEC, settings, bus=bus)
    install_denial_audit(app)
    mount_docs_assets(app)
    install(app, DashboardRoute())  # the everyday dashboard (views/dashboard.py)
    install_fast_proxy(app, SPEC.routers)  # first of all routes
    app.state.web_dist = WEB_DIST
    app.state.services = ServiceClient(settings.upstreams(), settings.proxy_timeout_seconds)
    return app
