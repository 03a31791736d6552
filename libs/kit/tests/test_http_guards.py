"""The kit's HTTP guards on a bare app: streaming body limit, path guard, security headers, text types."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel, ValidationError

from luoshi_kit.errors import install_problem_handlers
from luoshi_kit.forwarded import client_address
from luoshi_kit.headers import SecurityHeadersMiddleware
from luoshi_kit.limits import BodyLimitMiddleware
from luoshi_kit.paths import PathGuardMiddleware, unsafe_path
from luoshi_kit.text import MultilineText, PlainText


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=1000, upload_max_bytes=5000, upload_paths=["/upload"])
    app.add_middleware(PathGuardMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)

    @app.post("/echo")
    @app.post("/upload")
    async def echo(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    return app


async def _body(total: int, taken: list[int]) -> AsyncIterator[bytes]:
    for _ in range(total // 100):
        taken.append(100)
        yield b"x" * 100


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as c:
        yield c


async def test_body_limit_counts_streamed_bytes(client: httpx.AsyncClient) -> None:
    taken: list[int] = []
    response = await client.post("/echo", content=_body(100_000, taken))
    assert response.status_code == 413 and response.headers["content-type"] == "application/problem+json"
    assert sum(taken) <= 1100  # stopped at the limit, not after reading everything
    assert (await client.post("/echo", content=b"x" * 1000)).json() == {"size": 1000}
    assert (await client.post("/echo", content=b"x" * 1001)).status_code == 413
    taken = []
    assert (await client.post("/upload", content=_body(4000, taken))).json() == {"size": 4000}
    assert (await client.post("/upload", content=_body(6000, []))).status_code == 413
    lying = await client.post("/echo", content=b"{}", headers={"content-length": "not-a-number"})
    assert lying.status_code in (400, 413)


async def test_security_headers_even_on_errors(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get("/nowhere"),
        await client.get("/boom"),
        await client.get("/a/..%2Fb"),
        await client.post("/echo", content=b"x" * 2000),
    ):
        assert response.status_code in (400, 404, 413, 500)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    ("raw", "path", "refused"),
    [
        (b"/api/v1/tasks/..%2F..%2Fmetrics", "/api/v1/tasks/../../metrics", True),
        (b"/api/v1/tasks/%2e%2e/x", "/api/v1/tasks/../x", True),
        (b"/api/v1/tasks/a%5Cb", "/api/v1/tasks/a\\b", True),
        (b"/api/v1/tasks/%252F", "/api/v1/tasks/%2F", True),
        (b"/api/v1/tasks/./x", "/api/v1/tasks/./x", True),
        (b"/api/v1/tasks/a%00b", "/api/v1/tasks/a\x00b", True),
        (b"/api/v1/tasks/abc-123", "/api/v1/tasks/abc-123", False),
        (b"/api/v1/tasks/%E4%BB%BB%E5%8A%A1", "/api/v1/tasks/任务", False),
        (b"/api/v1/tasks/v1.2..3", "/api/v1/tasks/v1.2..3", False),
    ],
)
def test_unsafe_paths(raw: bytes, path: str, refused: bool) -> None:
    assert (unsafe_path(raw, path) is not None) is refused


class _In(BaseModel):
    title: PlainText
    body: MultilineText = ""


def test_text_types_refuse_control_characters() -> None:
    for bad in ("a\x00b", "a\tb", "a\nb", "a\x7fb", "a\x85b", "a\ufffeb"):
        with pytest.raises(ValidationError) as error:
            _In(title=bad)
        assert error.value.errors()[0]["type"] == "control_character"
    assert _In(title="推进大数据战略行动", body="第一条\n\t第二条\r\n").body.endswith("\r\n")
    with pytest.raises(ValidationError):
        _In(title="ok", body="a\x1bb")


def test_client_address_believes_forwarded_for_only_from_trusted_proxies() -> None:
    from starlette.requests import Request as StarletteRequest

    def request(peer: str, forwarded: str) -> StarletteRequest:
        headers = [(b"x-forwarded-for", forwarded.encode())]
        return StarletteRequest({"type": "http", "headers": headers, "client": (peer, 1)})

    assert client_address(request("127.0.0.1", "198.51.100.1"), "") == "127.0.0.1"
    assert client_address(request("10.0.0.9", "198.51.100.1"), "127.0.0.1") == "10.0.0.9"
    assert client_address(request("127.0.0.1", "198.51.100.1"), "127.0.0.1") == "198.51.100.1"
    # A client's own made-up entries stand left of what the trusted proxies appended.
    spoofed = request("10.0.0.2", "1.2.3.4, 198.51.100.1, 10.0.0.3")
    assert client_address(spoofed, "10.0.0.0/8") == "198.51.100.1"
    assert client_address(request("127.0.0.1", "garbage"), "127.0.0.1") == "127.0.0.1"
