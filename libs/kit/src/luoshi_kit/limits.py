"""A streaming request-body limit (pure ASGI): counts the bytes that arrive, chunked or not.

``Content-Length`` is only a claim: a declared length over the limit is refused at once, and an
undeclared (``Transfer-Encoding: chunked``) or understated body is refused with 413 as soon as the
bytes received pass the limit, before the application has buffered more than that. Paths listed as
upload paths get a larger limit. The limit in force is left in ``scope[BODY_LIMIT_KEY]`` so code that
reads the body itself (the gateway's proxy) counts against the same number.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from luoshi_kit.errors import problem_response

BODY_LIMIT_KEY = "luoshi.body_limit"


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once the limit is passed; the problem handlers answer it with 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"请求体不能超过 {limit} 字节 Request body over {limit} bytes")
        self.limit = limit


class BodyLimitMiddleware:
    def __init__(
        self, app: ASGIApp, *, max_bytes: int, upload_max_bytes: int, upload_paths: Collection[str] = ()
    ) -> None:
        self.app = app
        self.max_bytes, self.upload_max_bytes = max_bytes, upload_max_bytes
        self.upload_paths = frozenset(upload_paths)

    def limit_for(self, path: str) -> int:
        return self.upload_max_bytes if path.rstrip("/") in self.upload_paths else self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        scope[BODY_LIMIT_KEY] = limit
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(limit, scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            # Normally the problem handlers answer it; this catches a read outside their reach.
            if started:
                raise
            await _refuse(limit, scope, receive, send)


async def _refuse(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    response = problem_response(
        413,
        "too-large",
        "请求过大 Payload too large",
        f"请求体不能超过 {limit} 字节 Request body over {limit} bytes",
        scope["path"],
        limit=limit,
    )
    response.headers["connection"] = "close"
    await response(scope, receive, send)
