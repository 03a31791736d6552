"""The gateway's forwarding: signed identity added, 502/504 problems when a service is down or slow."""

from __future__ import annotations

import asyncio

import jwt
import pytest
from aiohttp import web
from fastapi import FastAPI
from starlette.routing import Match

from luoshi_gateway.auth.tokens import issue_access_token
from luoshi_gateway.config import GatewaySettings
from luoshi_gateway.main import create_app
from luoshi_gateway.people.models import Person
from luoshi_gateway.proxy.fastpath import ProxyRoute
from luoshi_gateway.proxy.openapi import merge
from luoshi_kit.identity import IDENTITY_HEADER, Identity
from luoshi_kit.public import PUBLIC_CALLER_HEADER, verify_public_caller
from luoshi_kit.testing import TEST_SECRET, free_port, running_service
from services.gateway.tests.integration.conftest import fake_upstream

JWT_SECRET = "proxy-test-jwt-secret-0123456789abcdef"
CLERK = Identity(
    person_id="u-clerk", username="clerk", display_name="科员", org_code="520000000000", roles=["office"]
)


def _settings(postgres_url: str, amqp_url: str, tasking_url: str) -> GatewaySettings:
    return GatewaySettings(
        database_url=postgres_url,
        amqp_url=amqp_url,
        internal_secret=TEST_SECRET,
        jwt_secret=JWT_SECRET,
        tasking_url=tasking_url,
        proxy_timeout_seconds=0.5,
    )


async def _add_clerk(app: FastAPI) -> None:
    async with app.state.sessionmaker() as session, session.begin():
        session.add(
            Person(
                id=CLERK.person_id,
                username=CLERK.username,
                display_name=CLERK.display_name,
                org_code=CLERK.org_code,
                roles=CLERK.roles,
                password_hash=None,
                active=True,
            )
        )


def _auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_access_token(CLERK, JWT_SECRET, 5)}"}


async def test_forwards_with_signed_identity_and_maps_failures(
    postgres_url: str, vhost_amqp_url: str
) -> None:
    seen: dict[str, str] = {}

    async def echo(request: web.Request) -> web.Response:
        seen.update(request.headers)
        if request.path.endswith("/slow"):
            await asyncio.sleep(2)
        return web.json_response({"path": request.path_qs}, status=201)

    async for upstream in fake_upstream(echo):
        async with running_service(create_app, _settings(postgres_url, vhost_amqp_url, upstream)) as (
            app,
            client,
        ):
            await _add_clerk(app)
            response = await client.post("/api/v1/tasks?x=1", json={"a": 1}, headers=_auth())
            assert response.status_code == 201 and response.json() == {"path": "/api/v1/tasks?x=1"}
            claims = jwt.decode(
                seen[IDENTITY_HEADER], TEST_SECRET, algorithms=["HS256"], audience="luoshi-internal"
            )
            assert claims["person_id"] == "u-clerk" and claims["org_code"] == "520000000000"
            assert "Authorization" not in seen  # the user's token stays at the gateway
            assert seen.get("traceparent", "").startswith("00-")

            slow = await client.get("/api/v1/tasks/slow", headers=_auth())
            assert slow.status_code == 504 and slow.json()["type"] == "urn:luoshi:problem:upstream-timeout"

            unknown = await client.get("/api/v1/no-such-resource", headers=_auth())
            assert unknown.status_code == 404
            assert unknown.headers["content-type"].startswith("application/problem+json")
            # A gateway route with a method it does not serve: 405 with Allow, not the proxy's 404.
            wrong = await client.delete("/api/v1/people", headers=_auth())
            assert wrong.status_code == 405 and wrong.headers["allow"] == "GET, HEAD, POST", wrong.text
            assert wrong.json()["type"] == "urn:luoshi:problem:method-not-allowed"
            anonymous = await client.get("/api/v1/tasks")
            assert anonymous.status_code == 401


async def test_public_portal_forwards_without_sign_in_and_vouches_for_the_address(
    postgres_url: str, vhost_amqp_url: str
) -> None:
    seen: dict[str, str] = {}

    async def echo(request: web.Request) -> web.Response:
        seen.update(request.headers)
        return web.json_response({"path": request.path_qs})

    async for upstream in fake_upstream(echo):
        settings = _settings(postgres_url, vhost_amqp_url, upstream).model_copy(
            update={"supervision_url": upstream, "scoring_url": upstream}
        )
        async with running_service(create_app, settings) as (_app, client):
            response = await client.post("/api/v1/public/clues", json={"text": "线索"})
            assert response.status_code == 200 and response.json() == {"path": "/api/v1/public/clues"}
            caller = verify_public_caller(seen[PUBLIC_CALLER_HEADER], TEST_SECRET)
            assert caller.address == "127.0.0.1"
            assert IDENTITY_HEADER not in seen  # nobody signed in, nobody vouched for
            ranked = await client.get("/api/v1/public/rankings/2026-Q4?tier=city")
            assert ranked.json() == {"path": "/api/v1/public/rankings/2026-Q4?tier=city"}
            put = await client.put("/api/v1/public/bulletins/520000000000", json={})
            assert put.status_code == 405 and put.headers["allow"] == "GET, HEAD", put.text
            forwarded = await client.put("/api/v1/public/notices/n-1", json={})
            assert forwarded.json() == {"path": "/api/v1/public/notices/n-1"}  # the service decides
            unknown = await client.get("/api/v1/public/people")
            assert unknown.status_code == 404 and unknown.json()["type"] == "urn:luoshi:problem:not-found"
            # A person's token is not needed, and a forged public header from the client is replaced.
            forged = await client.get("/api/v1/public/notices", headers={PUBLIC_CALLER_HEADER: "forged"})
            assert forged.status_code == 200
            assert verify_public_caller(seen[PUBLIC_CALLER_HEADER], TEST_SECRET).address == "127.0.0.1"


async def test_service_down_is_502(postgres_url: str, vhost_amqp_url: str) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    async with running_service(create_app, _settings(postgres_url, vhost_amqp_url, closed)) as (app, client):
        await _add_clerk(app)
        response = await client.get("/api/v1/tasks", headers=_auth())
        assert response.status_code == 502
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["type"] == "urn:luoshi:problem:upstream-unavailable"


@pytest.mark.parametrize("clash", [False, True])
def test_openapi_merge_keeps_gateway_routes_and_adds_services(clash: bool) -> None:
    gateway = {
        "openapi": "3.1.0",
        "info": {"title": "g"},
        "paths": {"/api/v1/auth/token": {"post": {}}},
        "components": {"schemas": {"A": {"type": "string"}}},
    }
    tasking = {
        "paths": {"/api/v1/tasks": {"post": {"summary": "交办"}}, "/healthz": {"get": {}}},
        "components": {
            "schemas": {
                "A": {"type": "integer"} if clash else {"type": "string"},
                "TaskOut": {"type": "object"},
            }
        },
    }
    merged = merge(
        gateway, {"tasking": tasking, "scoring": {"paths": {"/api/v1/public/rankings": {"get": {}}}}}
    )
    assert merged["paths"]["/api/v1/public/rankings"]["get"]["security"] == []
    assert set(merged["paths"]) == {"/api/v1/auth/token", "/api/v1/tasks", "/api/v1/public/rankings"}
    assert merged["paths"]["/api/v1/tasks"]["post"]["tags"] == ["tasking"]
    assert merged["components"]["schemas"]["A"] == {"type": "string"}
    assert "TaskOut" in merged["components"]["schemas"]
    # Every proxied operation needs the gateway's bearer token, so Swagger's "Authorize" sends it.
    task_post = merged["paths"]["/api/v1/tasks"]["post"]
    assert task_post["security"] == [{"OAuth2PasswordBearer": []}]
    assert {"401", "502", "504"} <= set(task_post["responses"])
    scheme = merged["components"]["securitySchemes"]["OAuth2PasswordBearer"]
    assert scheme["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"


async def test_the_fast_path_proxies_what_services_own_and_leaves_the_gateways_own_routes(
    postgres_url: str, vhost_amqp_url: str
) -> None:
    async def echo(request: web.Request) -> web.Response:
        return web.json_response({"path": request.path_qs, "method": request.method})

    async for upstream in fake_upstream(echo):
        async with running_service(create_app, _settings(postgres_url, vhost_amqp_url, upstream)) as (
            app,
            client,
        ):
            await _add_clerk(app)
            first, second = app.router.routes[:2]
            assert isinstance(first, ProxyRoute) and isinstance(second, ProxyRoute)
            for method, path in [("GET", "/api/v1/tasks"), ("PATCH", "/api/v1/tasks/t-1/deadline")]:
                response = await client.request(method, path, headers=_auth())
                assert response.json() == {"path": path, "method": method}
            # The gateway's own view under tasks/ answers itself (the task is unknown to its views).
            timeline = await client.get("/api/v1/tasks/t-unknown/timeline", headers=_auth())
            assert timeline.status_code == 404 and "path" not in timeline.json()
            # Its other methods still reach the service, as through the catch-all before.
            posted = await client.post("/api/v1/tasks/t-1/timeline", headers=_auth())
            assert posted.json() == {"path": "/api/v1/tasks/t-1/timeline", "method": "POST"}
            # No token: 401 problem, nothing forwarded.
            anonymous = await client.get("/api/v1/tasks")
            assert anonymous.status_code == 401
            assert anonymous.headers["content-type"].startswith("application/problem+json")
            # The gateway's routes and unowned resources are not the fast path's.
            assert (await client.get("/api/v1/nothing-here", headers=_auth())).status_code == 404
            orgs = await client.get("/api/v1/orgs/520000000000", headers=_auth())
            assert "method" not in orgs.json()
            head = first.matches({"type": "http", "method": "HEAD", "path": "/api/v1/tasks", "root_path": ""})
            assert head[0] == Match.NONE
