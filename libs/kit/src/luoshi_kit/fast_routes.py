"""Answering a hot route's everyday request ahead of FastAPI's routing and dependency solving (issue 10).

FastAPI tries the routes in order, then solves each dependency and parameter of the one that matched: for
a busy route that was a third to a half of its CPU. An ``EverydayRoute`` placed first in the app's router
(``install``) takes only the requests it recognises as plain — ``everyday`` says which — and answers them
itself; anything else goes on to the declared route, which stays the route's contract (its OpenAPI, its
validation, its errors). A request it can only judge by its body is handed on with ``Declined``: the body
already read is replayed to the declared route, so its 422 is FastAPI's own, byte for byte.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.routing import BaseRoute, Match, get_route_path, request_response
from starlette.types import Message, Receive, Scope, Send

_DECLINED = "luoshi.declined"  # set on a request handed on: no everyday route takes it again
EVERYDAY = "luoshi.everyday"  # the scope key under which ``everyday``'s answer reaches the endpoint


class EverydayRoute(BaseRoute):
    """``method path`` answered by ``endpoint`` when ``everyday(scope)`` returns a dict (left in the
    request's scope under ``EVERYDAY``); None lets the declared route answer."""

    def __init__(self, method: str, path: str, endpoint: Callable[[Request], Awaitable[Response]]) -> None:
        self.method = method
        self.path = self.path_format = path  # what the metrics and telemetry name the route by
        self.endpoint = endpoint
        self.app = request_response(endpoint)

    def everyday(self, scope: Scope) -> dict[str, Any] | None:
        return {}

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] != self.method or _DECLINED in scope:
            return Match.NONE, {}
        if get_route_path(scope) != self.path:
            return Match.NONE, {}
        plain = self.everyday(scope)
        if plain is None:
            return Match.NONE, {}
        return Match.FULL, {"endpoint": self.endpoint, "route": self, EVERYDAY: plain}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class Declined(Response):
    """Returned by an everyday endpoint that read the body and will not answer: the request goes through
    the app's routing again, to the declared route, with ``body`` replayed."""

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.replayed = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        pending = True

        async def replay() -> Message:
            nonlocal pending
            if pending:
                pending = False
                return {"type": "http.request", "body": self.replayed, "more_body": False}
            return await receive()  # after the body: the client's disconnect

        await scope["app"].router({**scope, _DECLINED: True}, replay, send)


def header(scope: Scope, name: bytes) -> bytes | None:
    """The request header ``name`` (lower case) if given once; None if absent, ``b""`` if repeated."""
    found = [value for key, value in scope["headers"] if key == name]
    if not found:
        return None
    return found[0] if len(found) == 1 else b""


def install(app: FastAPI, *routes: BaseRoute) -> None:
    """Put ``routes`` before every route of ``app``, in the order given."""
    app.router.routes[:0] = routes
