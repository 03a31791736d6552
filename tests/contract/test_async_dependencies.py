"""Every dependency of every route of every service is ``async def``: FastAPI runs a sync one in its thread
pool on each request (a thread hop per dependency per request, measured in issue 10's profile)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from luoshi_cli.registry import SERVICES
from luoshi_kit.messaging.inproc import InProcessBus
from luoshi_kit.testing import TEST_SECRET


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """APIRoutes, also inside included routers (FastAPI keeps those as routers of their own)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _api_routes(route.original_router.routes)


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _is_async(call: Callable[..., Any]) -> bool:
    if inspect.isclass(call):  # a class dependency is its (sync) __init__
        return False
    target = call if inspect.isfunction(call) or inspect.ismethod(call) else type(call).__call__
    return inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)


@pytest.mark.parametrize("entry", SERVICES, ids=lambda e: e.name)
def test_every_route_dependency_is_async(entry: Any, tmp_path: Any) -> None:
    extra = {"jwt_secret": "contract-jwt-secret-0123456789abcdef"} if entry.name == "gateway" else {}
    settings = entry.settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/db.sqlite", internal_secret=TEST_SECRET, **extra
    )
    app = entry.factory()(settings, bus=InProcessBus())  # built, never started: nothing connects
    if entry.name == "tasking":  # the walk must reach routes inside included routers
        assert "/api/v1/tasks" in {route.path for route in _api_routes(app.routes)}
    sync = sorted(
        {
            f"{route.path}: {getattr(call, '__qualname__', call)}"
            for route in _api_routes(app.routes)
            for call in _calls(route.dependant)
            if not _is_async(call)
        }
    )
    assert not sync, "sync dependencies (make them async def):\n" + "\n".join(sync)
