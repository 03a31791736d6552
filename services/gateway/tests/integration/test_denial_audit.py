"""The app-wide hook records a 403 raised anywhere in the gateway, once."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from luoshi_gateway.audit.handlers import install_denial_audit
from luoshi_gateway.audit.models import AuditRecord
from luoshi_gateway.config import GatewaySettings
from luoshi_gateway.main import create_app
from luoshi_kit.errors import Problem
from luoshi_kit.testing import TEST_SECRET, running_service

from .conftest import JWT_SECRET, assert_problem, count, headers_of, seed


def _app(settings: Any) -> FastAPI:
    app = create_app(settings)
    install_denial_audit(app)

    @app.get("/api/v1/_forbidden_probe")
    async def probe() -> None:
        raise Problem(403, "forbidden", "无权操作 Forbidden", "probe")

    # The probe must win over the proxy's catch-all, which was registered first.
    app.router.routes.insert(0, app.router.routes.pop())
    return app


async def test_any_403_is_recorded_once(postgres_url: str, vhost_amqp_url: str) -> None:
    settings = GatewaySettings(
        database_url=postgres_url, amqp_url=vhost_amqp_url, internal_secret=TEST_SECRET, jwt_secret=JWT_SECRET
    )
    async with running_service(_app, settings) as (app, client):
        await seed(app)
        handler = await headers_of(client, "county_handler")
        assert_problem(await client.get("/api/v1/_forbidden_probe", headers=handler), 403)
        probe = AuditRecord.target_id == "/api/v1/_forbidden_probe"
        assert await count(app, AuditRecord, probe, AuditRecord.actor_id == "u-county_handler") == 1
        # A denial the route recorded itself is not recorded again by the hook.
        assert_problem(await client.get("/api/v1/audit", headers=handler), 403)
        assert await count(app, AuditRecord, AuditRecord.outcome == "denied") == 2
