"""Issue 8 against the gateway: body limits that count bytes, no path tricks through the proxy,
security headers, local API docs, guarded operations data, throttling that cannot lock a real user
out, refresh-token reuse that kills the family's access tokens, and forwarded addresses."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx
import pytest
from aiohttp import web
from fastapi import FastAPI
from sqlalchemy import select

from luoshi_gateway.audit.models import AuditRecord
from luoshi_gateway.auth import routes as auth_routes
from luoshi_kit.testing import free_port

from .conftest import PASSWORD, GatewayFactory, assert_problem, headers_of, sign_in

METRICS_TOKEN = "metrics-token-for-tests-0123456789"


class Upstream:
    """One aiohttp server standing in for every service; it records what reached it."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.paths.append(request.raw_path)
        await request.read()
        return web.json_response({"path": request.raw_path})


@pytest.fixture
async def upstream() -> AsyncIterator[Upstream]:
    up = Upstream()
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", up.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    up.url = f"http://127.0.0.1:{port}"
    try:
        yield up
    finally:
        await runner.cleanup()


@pytest.fixture
async def hardened(
    make_gateway: GatewayFactory, upstream: Upstream
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    urls = {f"{s}_url": upstream.url for s in ("tasking", "supervision", "scoring", "notification")}
    async with make_gateway(metrics_token=METRICS_TOKEN, trusted_proxies="127.0.0.1", **urls) as pair:
        yield pair


def _chunks(total: int, size: int = 64 * 1024) -> tuple[AsyncIterator[bytes], list[int]]:
    """A body without Content-Length (sent chunked), and how much of it was taken."""
    sent: list[int] = []

    async def body() -> AsyncIterator[bytes]:
        for _ in range(total // size):
            sent.append(size)
            yield b"x" * size

    return body(), sent


# --- 2. streaming body limit -------------------------------------------------------------------


async def test_chunked_bodies_over_the_limit_are_refused_early(
    hardened: tuple[FastAPI, httpx.AsyncClient], upstream: Upstream
) -> None:
    app, client = hardened
    limit = app.state.settings.max_body_bytes
    for path, headers in [
        ("/api/v1/auth/refresh", {}),  # no sign-in needed: the report's 300 MB case
        ("/api/v1/tasks", await headers_of(client, "admin")),  # proxied: the report's 400 MB case
    ]:
        body, sent = _chunks(8 * limit)
        response = await client.post(
            path, content=body, headers={**headers, "content-type": "application/json"}
        )
        assert "content-length" not in response.request.headers  # chunked
        body_problem = assert_problem(response, 413)
        assert body_problem["type"] == "urn:luoshi:problem:too-large"
        assert sum(sent) <= limit + 2 * 64 * 1024, f"{path}: read {sum(sent)} bytes of a refused body"
    assert upstream.paths == []
    # A declared length over the limit is refused without reading anything.
    declared = await client.post(
        "/api/v1/auth/refresh", content=b"{}", headers={"content-length": str(limit + 1)}
    )
    assert_problem(declared, 413)


async def test_the_import_route_has_the_larger_limit(
    hardened: tuple[FastAPI, httpx.AsyncClient], upstream: Upstream
) -> None:
    app, client = hardened
    settings = app.state.settings
    admin = await headers_of(client, "admin")
    size = settings.max_body_bytes * 2
    assert size < settings.upload_max_body_bytes
    body, _ = _chunks(size)
    response = await client.post("/api/v1/tasks/import", content=body, headers=admin)
    assert response.status_code == 200 and upstream.paths == ["/api/v1/tasks/import"]
    body, _ = _chunks(settings.upload_max_body_bytes + 256 * 1024)
    assert_problem(await client.post("/api/v1/tasks/import", content=body, headers=admin), 413)


# --- 4. path traversal through the proxy ---------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tasks/..%2F..%2F..%2Fmetrics",
        "/api/v1/points/..%2F..%2F..%2Freadyz",
        "/api/v1/tasks/..%2f..%2fopenapi.json",
        "/api/v1/tasks/%2E%2E/%2E%2E/%2E%2E/docs",
        "/api/v1/tasks/..%5C..%5Cmetrics",
        "/api/v1/tasks/..%252F..%252Fmetrics",
        "/api/v1/tasks/a\\..\\..\\metrics",
    ],
)
async def test_encoded_slashes_and_dot_segments_are_refused_before_routing(
    hardened: tuple[FastAPI, httpx.AsyncClient], upstream: Upstream, path: str
) -> None:
    _, client = hardened
    admin = await headers_of(client, "admin")
    body = assert_problem(await client.get(path, headers=admin), 400)
    assert body["type"] == "urn:luoshi:problem:unsafe-path"
    assert upstream.paths == []


async def test_dot_segments_sent_raw_are_refused(hardened: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, _ = hardened
    # httpx would normalise /../ away; speak ASGI directly, as a raw HTTP client could.
    messages: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/v1/tasks/../../../metrics",
        "raw_path": b"/api/v1/tasks/../../../metrics",
        "query_string": b"",
        "headers": [],
        "client": ("127.0.0.1", 1),
        "server": ("gateway", 80),
    }
    await app(scope, receive, send)
    assert messages[0]["status"] == 400


# --- 6. security headers, local docs -----------------------------------------------------------


async def test_security_headers_on_every_response(hardened: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = hardened
    responses = [
        await client.get("/healthz"),
        await sign_in(client, "admin"),
        await sign_in(client, "admin", "wrong"),
        await client.get("/api/v1/no-such-thing"),
        await client.get("/api/v1/tasks/..%2Fmetrics"),
        await client.get("/api/docs"),
    ]
    for response in responses:
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff", response.url
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        csp = headers["content-security-policy"]
        for directive in (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "frame-ancestors 'none'",
        ):
            assert directive in csp
        assert "server" not in headers
    token_response = responses[1]
    assert token_response.status_code == 200 and token_response.headers["cache-control"] == "no-store"


async def test_swagger_ui_and_redoc_load_nothing_from_outside(
    hardened: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    _, client = hardened
    for page in ("/api/docs", "/api/redoc"):
        html = await client.get(page)
        assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
        assert not re.search(r"https?://|//cdn|jsdelivr|unpkg", html.text), html.text
        assert "<script>" not in html.text  # no inline script: CSP script-src 'self' holds
        assets = re.findall(r'(?:src|href)="([^"]+)"', html.text)
        assert assets and all(a.startswith("/api/") for a in assets), assets
        for asset in assets:
            fetched = await client.get(asset)
            assert fetched.status_code == 200 and len(fetched.content) > 100, asset
    init = (await client.get("/api/docs/init.js")).text
    assert "/api/v1/openapi.json" in init and not re.search(r"https?://", init)
    assert (await client.get("/api/v1/openapi.json")).status_code == 200


# --- 7. operations data ------------------------------------------------------------------------


async def test_operations_endpoints_are_not_public(
    hardened: tuple[FastAPI, httpx.AsyncClient], upstream: Upstream
) -> None:
    _, client = hardened
    admin = await headers_of(client, "admin")
    for path in ("/docs", "/openapi.json", "/redoc", "/api/v1/tasks/metrics/../../metrics"):
        assert (await client.get(path, headers=admin)).status_code in (400, 404), path
    # Only /api/v1/<business resource>/... is forwarded; nothing else reaches a service.
    for path in ("/metrics/tasking", "/api/metrics", "/api/v1/metrics", "/api/v1/readyz", "/api/v1/docs"):
        assert (await client.get(path, headers=admin)).status_code == 404, path
    assert upstream.paths == []
    # The gateway's own /metrics: only with the metrics token (a user's token is not it).
    assert_problem(await client.get("/metrics"), 404)
    assert_problem(await client.get("/metrics", headers=admin), 404)
    metrics = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert metrics.status_code == 200 and "luoshi_http_requests_total" in metrics.text


async def test_metrics_are_off_without_a_token(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as (_, client):
        assert_problem(await client.get("/metrics"), 404)
        assert_problem(await client.get("/metrics", headers={"Authorization": "Bearer "}), 404)


# --- 5. sign-in throttling ---------------------------------------------------------------------


def _from(address: str) -> dict[str, str]:
    return {"x-forwarded-for": address}


async def _sign_in_from(
    client: httpx.AsyncClient, username: str, password: str, address: str
) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/token", data={"username": username, "password": password}, headers=_from(address)
    )


async def test_a_stranger_cannot_lock_the_real_user_out(make_gateway: GatewayFactory) -> None:
    async with make_gateway(trusted_proxies="127.0.0.1", lockout_max_failures=3) as (_, client):
        stranger, owner = "198.51.100.7", "203.0.113.20"
        for variant in ("admin", " ADMIN ", "ａｄｍｉｎ"):  # variants count against the one account
            response = await _sign_in_from(client, variant, "guess", stranger)
        assert_problem(response, 429)
        assert_problem(await _sign_in_from(client, "admin", PASSWORD, stranger), 429)
        # The owner, from another address, is not locked out.
        assert (await _sign_in_from(client, "admin", PASSWORD, owner)).status_code == 200
        assert (await _sign_in_from(client, " Admin ", PASSWORD, owner)).status_code == 200


async def test_one_address_guessing_many_accounts_is_stopped(make_gateway: GatewayFactory) -> None:
    async with make_gateway(
        trusted_proxies="127.0.0.1", lockout_max_failures=5, lockout_address_max_failures=4
    ) as (_, client):
        address = "198.51.100.8"
        answers = [
            (await _sign_in_from(client, name, "guess", address)).status_code
            for name in ("admin", "office", "city_admin", "county_admin", "city_deputy")
        ]
        assert answers == [401, 401, 401, 429, 429]
        assert (await _sign_in_from(client, "sibling_admin", PASSWORD, address)).status_code == 429
        assert (await _sign_in_from(client, "sibling_admin", PASSWORD, "203.0.113.21")).status_code == 200


async def test_parallel_guesses_check_at_most_the_allowed_passwords(
    make_gateway: GatewayFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real = auth_routes.verify_password

    def counting(stored: str | None, password: str) -> bool:
        checked.append(password)
        return real(stored, password)

    monkeypatch.setattr(auth_routes, "verify_password", counting)
    async with make_gateway(lockout_max_failures=5) as (_, client):
        answers = await asyncio.gather(*(sign_in(client, "admin", f"guess-{n}") for n in range(40)))
        statuses = sorted(r.status_code for r in answers)
        assert len(checked) == 5, len(checked)
        assert statuses.count(401) == 4 and statuses.count(429) == 36


# --- 5. refresh reuse, forwarded addresses -----------------------------------------------------


async def test_refresh_token_reuse_revokes_the_familys_access_tokens(
    hardened: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    _, client = hardened
    first = (await sign_in(client, "county_handler")).json()
    rotated = (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    ).json()
    for token in (first["access_token"], rotated["access_token"]):
        me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
    other = (await sign_in(client, "county_handler")).json()  # another sign-in, another family
    stolen = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert_problem(stolen, 401)
    for token in (first["access_token"], rotated["access_token"]):
        me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert_problem(me, 401)
    me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {other['access_token']}"})
    assert me.status_code == 200


async def _last_sign_in_ip(app: FastAPI) -> str | None:
    async with app.state.sessionmaker() as session:
        return await session.scalar(
            select(AuditRecord.ip)
            .where(AuditRecord.action == "auth.sign_in")
            .order_by(AuditRecord.id.desc())
            .limit(1)
        )


async def test_forwarded_for_is_ignored_by_default(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as (app, client):  # no trusted proxies
        await _sign_in_from(client, "admin", PASSWORD, "198.51.100.99")
        assert await _last_sign_in_ip(app) == "127.0.0.1"


async def test_forwarded_for_is_believed_from_trusted_proxies(make_gateway: GatewayFactory) -> None:
    async with make_gateway(trusted_proxies="127.0.0.1, 10.0.0.0/8") as (app, client):
        await _sign_in_from(client, "admin", PASSWORD, "198.51.100.99, 10.1.2.3")
        assert await _last_sign_in_ip(app) == "198.51.100.99"
