"""Refuses request paths that could mean another path once decoded or normalised (pure ASGI, 400).

``/api/v1/tasks/..%2F..%2Fmetrics`` is one segment to a router but ``/metrics`` to whoever decodes
and normalises it later (the gateway's proxy forwarding it, an HTTP client, a reverse proxy). So before
any routing: no encoded slash or backslash (``%2F``, ``%5C``), no encoded dot (``%2E``), no encoded
percent (``%25``, double encoding), no backslash, no control character, and no ``.`` or ``..`` segment.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

from luoshi_kit.errors import problem_response

_ENCODED = re.compile(rb"%(2f|5c|2e|25|00)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def unsafe_path(raw_path: bytes, path: str) -> str | None:
    """Why the path is refused, or None when it is fine."""
    if _ENCODED.search(raw_path):
        return "路径中不能含编码的斜杠、反斜杠、点或百分号 Encoded slash, backslash, dot or percent in path"
    if "\\" in path or _CONTROL.search(path):
        return "路径中不能含反斜杠或控制字符 Backslash or control character in path"
    if any(segment in (".", "..") for segment in path.split("/")):
        return "路径中不能含 . 或 .. 段 Dot segment in path"
    return None


class PathGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            raw: bytes = scope.get("raw_path") or path.encode()
            reason = unsafe_path(raw.split(b"?", 1)[0], path)
            if reason is not None:
                response = problem_response(
                    400, "unsafe-path", "请求路径不合法 Unsafe request path", reason, None
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
