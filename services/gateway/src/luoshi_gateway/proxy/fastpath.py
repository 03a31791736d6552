"""The proxy's routes, tried before the gateway's own: a request for a service's resource goes straight to
the proxy — one dictionary lookup instead of matching it against the gateway's ~200 routes first, and no
dependency solving — unless a gateway route under that resource claims it (a view such as
``/api/v1/tasks/{id}/timeline``). What it answers is what ``routes.forward_*`` answer; they stay, after
the gateway's routes, for the paths no service owns (404, or 405 for a gateway route's other methods).
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute, APIRouter
from starlette.routing import BaseRoute, Match, get_route_path, request_response
from starlette.types import Receive, Scope, Send

from luoshi_gateway.auth.deps import authenticate, bearer_of
from luoshi_gateway.proxy.client import RESOURCE_OWNERS
from luoshi_gateway.proxy.routes import METHODS, forward

PREFIX = "/api/v1/"


async def _proxied(request: Request) -> Response:
    caller = await authenticate(request, bearer_of(request.scope))
    return await forward(request, request.path_params["resource"], caller.identity)


class ProxyRoute(BaseRoute):
    """``/api/v1/{resource}`` (``item=False``) or ``/api/v1/{resource}/{rest:path}`` of an owned resource."""

    def __init__(self, *, item: bool, claimed: dict[str, list[APIRoute]]) -> None:
        self.item = item
        self.path = self.path_format = PREFIX + ("{resource}/{rest:path}" if item else "{resource}")
        self.claimed = claimed  # the gateway's own routes under each owned resource
        self.app = request_response(_proxied)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] not in METHODS:
            return Match.NONE, {}
        path = get_route_path(scope)
        if not path.startswith(PREFIX):
            return Match.NONE, {}
        resource, slash, rest = path[len(PREFIX) :].partition("/")
        if resource not in RESOURCE_OWNERS or bool(slash) != self.item:
            return Match.NONE, {}
        if any(route.matches(scope)[0] != Match.NONE for route in self.claimed.get(resource, ())):
            return Match.NONE, {}  # the gateway's own route (or its other methods) decides
        params = {"resource": resource, "rest": rest} if self.item else {"resource": resource}
        return Match.FULL, {"endpoint": _proxied, "path_params": params}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def claimed_routes(routers: Iterable[APIRouter]) -> dict[str, list[APIRoute]]:
    """The gateway's routes whose path lies under a resource a service owns."""
    claimed: dict[str, list[APIRoute]] = {}
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute) and route.path.startswith(PREFIX):
                resource = route.path[len(PREFIX) :].partition("/")[0]
                if resource in RESOURCE_OWNERS:
                    claimed.setdefault(resource, []).append(route)
    return claimed


def install_fast_proxy(app: FastAPI, routers: Iterable[APIRouter]) -> None:
    claimed = claimed_routes(routers)
    app.router.routes[:0] = [ProxyRoute(item=False, claimed=claimed), ProxyRoute(item=True, claimed=claimed)]
