"""A small HTTP/1.1 client for the proxy's ordinary (buffered) requests: kept-alive connections per service,
answers parsed by httptools (the parser uvicorn reads requests with). aiohttp cost the gateway ~0.2 ms of CPU
per proxied request here (issue 10); this sends one prepared buffer and parses the answer in C.

Only what the proxy needs: redirects to the service itself, no decompression (the proxy asks for none),
no HEAD (not proxied).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from urllib.parse import urlsplit

import httptools

REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 10  # aiohttp's default


class UpstreamClosed(ConnectionError):
    """The service closed the connection, or sent what is not HTTP, before its answer was complete."""


class _Connection(asyncio.Protocol):
    """One connection to a service; one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.answer: asyncio.Future[tuple[int, list[tuple[bytes, bytes]], bytes]] | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.closed = False
        self.idle_since = 0.0
        self.headers_done = False

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(UpstreamClosed(f"not an HTTP answer: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        names = {name.lower() for name, _ in self.headers}
        if self.headers_done and not names & {b"content-length", b"transfer-encoding"}:
            self.on_message_complete()  # an answer whose end is the connection's end
        self._fail(UpstreamClosed("connection closed by the service"))

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        if not self.parser.should_keep_alive():
            self.close()
        if self.answer is not None and not self.answer.done():
            self.answer.set_result((self.parser.get_status_code(), self.headers, b"".join(self.body)))

    def _fail(self, exc: Exception) -> None:
        self.close()
        if self.answer is not None and not self.answer.done():
            self.answer.set_exception(exc)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    async def exchange(self, request: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        assert self.transport is not None
        self.answer = asyncio.get_running_loop().create_future()
        self.headers, self.body, self.headers_done = [], [], False
        self.transport.write(request)
        return await self.answer


class Upstream:
    """The kept-alive connections to one service (``http://host:port`` or ``https://...``)."""

    def __init__(self, base_url: str, *, limit: int, keepalive_seconds: float) -> None:
        parts = urlsplit(base_url)
        self.scheme, self.netloc = parts.scheme, parts.netloc.lower()
        self.tls = parts.scheme == "https"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if self.tls else 80)
        self.prefix = parts.path.rstrip("/")
        default_port = (self.tls and self.port == 443) or (not self.tls and self.port == 80)
        self.host_header = (parts.netloc if not default_port else self.host).encode("idna")
        self.keepalive_seconds = keepalive_seconds
        self.slots = asyncio.Semaphore(limit)
        self.idle: list[_Connection] = []

    async def _connect(self, connect_seconds: float) -> _Connection:
        loop = asyncio.get_running_loop()
        context = ssl.create_default_context() if self.tls else None
        async with asyncio.timeout(connect_seconds):
            _, connection = await loop.create_connection(_Connection, self.host, self.port, ssl=context)
        return connection

    def _reusable(self) -> _Connection | None:
        now = time.monotonic()
        while self.idle:
            connection = self.idle.pop()
            if not connection.closed and now - connection.idle_since < self.keepalive_seconds:
                return connection
            connection.close()
        return None

    async def request(
        self,
        method: str,
        target: bytes,
        headers: list[tuple[str, str]],
        body: bytes,
        *,
        connect_seconds: float,
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """One request, its answer buffered. A redirect to the service itself is followed (up to ten), as
        aiohttp did: FastAPI answers a path with a stray trailing slash with a 307 to its own address,
        which the caller could not reach. Raises ``TimeoutError`` (the caller's deadline) or
        ``ConnectionError``/``OSError`` (no connection, or it broke)."""
        target = self.prefix.encode() + target
        for _ in range(MAX_REDIRECTS + 1):
            status, answer_headers, content = await self._once(method, target, headers, body, connect_seconds)
            location = next((v for k, v in answer_headers if k.lower() == b"location"), None)
            followed = self._own(location) if status in REDIRECTS and location is not None else None
            if followed is None:
                break
            target = followed
            if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
                method, body = "GET", b""  # what aiohttp (and browsers) do
        return status, answer_headers, content

    def _own(self, location: bytes) -> bytes | None:
        """The path and query a redirect points to, when it points to this service."""
        parts = urlsplit(location.decode("latin-1"))
        if parts.netloc and (parts.scheme, parts.netloc.lower()) != (self.scheme, self.netloc):
            return None
        if not parts.path.startswith("/"):
            return None
        return (parts.path + (f"?{parts.query}" if parts.query else "")).encode("latin-1")

    async def _once(
        self, method: str, target: bytes, headers: list[tuple[str, str]], body: bytes, connect_seconds: float
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        start = method.encode() + b" " + target + b" HTTP/1.1"
        lines = [start, b"host: " + self.host_header]
        lines += [f"{name}: {value}".encode("latin-1") for name, value in headers]
        if body or method != "GET":  # as aiohttp did: every method but GET says its length, even 0
            lines.append(b"content-length: %d" % len(body))
        request = b"\r\n".join(lines) + b"\r\n\r\n" + body
        async with self.slots:
            connection = self._reusable() or await self._connect(connect_seconds)
            try:
                answer = await connection.exchange(request)
            except BaseException:
                connection.close()  # cancelled or broken mid-answer: never reused
                raise
            if not connection.closed:
                connection.idle_since = time.monotonic()
                self.idle.append(connection)
            return answer

    def close(self) -> None:
        for connection in self.idle:
            connection.close()
        self.idle.clear()
