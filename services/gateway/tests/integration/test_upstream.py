"""The proxy's own HTTP/1.1 client: kept-alive connections, chunked answers, redirects as aiohttp had them."""

from __future__ import annotations

import pytest
from aiohttp import web

from luoshi_gateway.proxy.upstream import Upstream
from luoshi_kit.testing import free_port
from services.gateway.tests.integration.conftest import fake_upstream


def _upstream(url: str) -> Upstream:
    return Upstream(url, limit=10, keepalive_seconds=30)


async def test_answers_come_back_whole_on_one_kept_alive_connection() -> None:
    peers: set[object] = set()

    async def handler(request: web.Request) -> web.Response:
        peers.add(request.transport.get_extra_info("peername") if request.transport else None)
        if request.path == "/chunked":
            response = web.Response(body=b"eins zwei drei", headers={"content-type": "text/plain"})
            response.enable_chunked_encoding()  # no Content-Length: the parser finds the end in the chunks
            return response
        return web.json_response(
            {"method": request.method, "body": (await request.read()).decode()}, status=201
        )

    async for url in fake_upstream(handler):
        upstream = _upstream(url)
        try:
            status, headers, body = await upstream.request(
                "POST", b"/tasks?x=1", [("content-type", "application/json")], b'{"a":1}', connect_seconds=3
            )
            assert status == 201 and body == b'{"method": "POST", "body": "{\\"a\\":1}"}'
            assert (b"Content-Type", b"application/json; charset=utf-8") in headers
            status, headers, body = await upstream.request("GET", b"/chunked", [], b"", connect_seconds=3)
            assert status == 200 and body == b"eins zwei drei"
            assert (b"Transfer-Encoding", b"chunked") in headers
            assert len(peers) == 1  # the second request reused the first one's connection
        finally:
            upstream.close()


@pytest.mark.parametrize(
    ("code", "method", "after"),
    [(307, "POST", "POST"), (308, "PUT", "PUT"), (303, "POST", "GET"), (302, "POST", "GET")],
)
async def test_a_redirect_to_the_service_itself_is_followed(code: int, method: str, after: str) -> None:
    async def redirecting(request: web.Request) -> web.Response:
        if request.path == "/tasks/":  # as FastAPI answers a stray trailing slash: its own absolute address
            return web.Response(status=code, headers={"location": f"http://{request.host}/tasks?y=2"})
        return web.json_response({"method": request.method, "path": request.path_qs})

    async for url in fake_upstream(redirecting):
        upstream = _upstream(url)
        try:
            status, _, body = await upstream.request(method, b"/tasks/", [], b"{}", connect_seconds=3)
            assert status == 200 and body == f'{{"method": "{after}", "path": "/tasks?y=2"}}'.encode()
        finally:
            upstream.close()


async def test_a_redirect_elsewhere_is_passed_back_and_a_service_down_raises() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=307, headers={"location": "http://example.org/elsewhere"})

    async for url in fake_upstream(handler):
        upstream = _upstream(url)
        try:
            status, headers, _ = await upstream.request("GET", b"/x", [], b"", connect_seconds=3)
            assert status == 307 and (b"location", b"http://example.org/elsewhere") in headers
        finally:
            upstream.close()
    with pytest.raises(OSError):
        await _upstream(f"http://127.0.0.1:{free_port()}").request("GET", b"/", [], b"", connect_seconds=3)
