"""How the gateway forwards requests: buffered ones on kept-alive connections of its own (``upstream``),
live streams with aiohttp."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import quote

import aiohttp
from starlette.types import Scope

from luoshi_gateway.proxy.upstream import Upstream
from luoshi_kit.errors import Problem

# Which service owns each top-level resource under /api/v1.
RESOURCE_OWNERS: dict[str, str] = {
    "tasks": "tasking",
    "documents": "tasking",
    "calendar": "tasking",
    "deadline-rules": "tasking",
    "deadline-scans": "tasking",
    "ledger": "tasking",
    "responsibility-letters": "tasking",
    "dispatch-meetings": "tasking",
    "notifications": "notification",
    "subscriptions": "notification",
    "notification-preferences": "notification",
    "inspections": "supervision",
    "rectifications": "supervision",
    "clues": "supervision",
    "inspection-plans": "supervision",
    "inspection-evidence": "supervision",
    "inspection-load": "supervision",
    "findings": "supervision",
    "exemptions": "supervision",
    "representatives-inspections": "supervision",
    "rectification-scans": "supervision",
    "urges": "supervision",
    "urge-scans": "supervision",
    "notices": "supervision",
    "points": "scoring",
    "rankings": "scoring",
    "scoring-rules": "scoring",
    "negative-list": "scoring",
    "self-checks": "scoring",
    "incentives": "scoring",
    "accountability": "scoring",
    "exemption-grants": "scoring",
}

# Routes that take file uploads: their bodies may reach LUOSHI_UPLOAD_MAX_BODY_BYTES, others
# LUOSHI_MAX_BODY_BYTES (the kit's BodyLimitMiddleware, and the proxy counts again as it reads).
UPLOAD_PATHS = ("/api/v1/tasks/import", "/api/v1/inspection-evidence")

_FORWARD_REQUEST = (
    "content-type",
    "accept",
    "accept-language",
    "if-match",
    "if-none-match",
    "idempotency-key",  # the service scopes it to the signed person (luoshi_kit.idempotency)
    "last-event-id",  # a live stream (server-sent events) resumes after it
)
_FORWARD_RESPONSE = (
    "content-type",
    "location",
    "etag",
    "content-disposition",
    "retry-after",
    "allow",
    "idempotent-replayed",
)


# How long an idle connection to a service is kept for reuse. The services' uvicorn keeps one open longer
# (luoshi_cli.serving): were it the other way round, a request sent on a connection the service is closing
# at that moment fails (a POST is not retried) — seen as a 502 upstream-unavailable under load.
KEEPALIVE_SECONDS = 30
CONNECT_SECONDS = 3


class ServiceClient:
    def __init__(self, upstreams: dict[str, str], timeout_seconds: float):
        self.upstreams = upstreams
        self.timeout_seconds = timeout_seconds
        self._pools: dict[str, Upstream] = {}
        # Live streams hold their connection for as long as a page is open: a pool of their own, so a few
        # hundred open inboxes never take the connections ordinary requests need.
        self._streams: aiohttp.ClientSession | None = None

    def _pool(self, service: str) -> Upstream:
        pool = self._pools.get(service)
        if pool is None:
            pool = Upstream(self.upstreams[service], limit=100, keepalive_seconds=KEEPALIVE_SECONDS)
            self._pools[service] = pool
        return pool

    def _stream_client(self) -> aiohttp.ClientSession:
        if self._streams is None or self._streams.closed:
            self._streams = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0), auto_decompress=False
            )
        return self._streams

    async def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        if self._streams:
            await self._streams.close()

    async def forward(
        self, service: str, method: str, target: bytes, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """``target``: the path and query as the caller sent them (still percent-encoded)."""
        sent = list(headers.items())
        # What aiohttp, the client before, added: services may tell callers apart by them.
        if "accept" not in headers:
            sent.append(("accept", "*/*"))
        if body and "content-type" not in headers:
            sent.append(("content-type", "application/octet-stream"))
        try:
            async with asyncio.timeout(self.timeout_seconds):
                status, raw, content = await self._pool(service).request(
                    method, target, sent, body, connect_seconds=CONNECT_SECONDS
                )
        except TimeoutError as exc:
            raise Problem(
                504,
                "upstream-timeout",
                "服务超时 Service timed out",
                f"{service} 未在时限内响应",
                service=service,
            ) from exc
        except OSError as exc:  # refused, reset, or closed before the answer was complete
            raise _unavailable(service) from exc
        kept = {}
        for name, value in raw:
            key = name.decode("latin-1")
            if key.lower() in _FORWARD_RESPONSE:
                kept[key] = value.decode("latin-1")
        return status, kept, content

    async def stream(
        self, service: str, path_qs: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], AsyncIterator[bytes]]:
        """A GET whose answer is a live stream (``text/event-stream``): passed on chunk by chunk, with no
        total timeout, until either side hangs up."""
        url = self.upstreams[service] + path_qs
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=3, sock_read=None)
        try:
            response = await self._stream_client().get(url, headers=headers, timeout=timeout)
        except aiohttp.ClientConnectionError as exc:
            raise _unavailable(service) from exc
        kept = {k: v for k, v in response.headers.items() if k.lower() in _FORWARD_RESPONSE}

        async def chunks() -> AsyncIterator[bytes]:
            try:
                async for chunk in response.content.iter_any():
                    yield chunk
            finally:
                response.release()
                response.close()

        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            content = await response.read()
            response.release()

            async def whole() -> AsyncIterator[bytes]:
                yield content

            return response.status, kept, whole()
        kept["cache-control"] = "no-store"
        return response.status, kept, chunks()


def _unavailable(service: str) -> Problem:
    title, detail = "服务不可用 Service unavailable", f"{service} 暂时无法访问"
    return Problem(502, "upstream-unavailable", title, detail, service=service)


_FORWARDED_NAMES = frozenset(name.encode() for name in _FORWARD_REQUEST)


def request_headers(scope: Scope) -> dict[str, str]:
    """The caller's headers a service is given (ASGI servers hand the names over in lower case)."""
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"] if k in _FORWARDED_NAMES}


def target_of(scope: Scope) -> bytes:
    """The path and query as the caller sent them, percent-encoding and all."""
    path: bytes = scope.get("raw_path") or quote(scope["path"]).encode()
    query: bytes = scope.get("query_string", b"")
    return path + b"?" + query if query else path
