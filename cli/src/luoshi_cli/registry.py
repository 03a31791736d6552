"""The five services: how to build each one and where it listens by default."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_kit.settings import KitSettings


@dataclass(frozen=True)
class ServiceEntry:
    name: str
    package: str
    port_offset: int

    def settings_class(self) -> type[KitSettings]:
        module = __import__(f"{self.package}.config", fromlist=["x"])
        return next(v for k, v in vars(module).items() if k.endswith("Settings") and k != "KitSettings")

    def factory(self) -> Callable[..., FastAPI]:
        return __import__(f"{self.package}.main", fromlist=["create_app"]).create_app

    def handlers(self) -> HandlerTable:
        """The service's handler table: the source of its queue bindings."""
        spec = __import__(f"{self.package}.main", fromlist=["SPEC"]).SPEC
        table: HandlerTable = spec.handlers
        return table

    def settings(self, **overrides: Any) -> KitSettings:
        return self.settings_class()(**overrides)


SERVICES = (
    ServiceEntry("gateway", "luoshi_gateway", 0),
    ServiceEntry("tasking", "luoshi_tasking", 1),
    ServiceEntry("supervision", "luoshi_supervision", 2),
    ServiceEntry("scoring", "luoshi_scoring", 3),
    ServiceEntry("notification", "luoshi_notification", 4),
)
BY_NAME = {s.name: s for s in SERVICES}


def upstream_env(host: str, gateway_port: int) -> dict[str, str]:
    """Where the gateway finds each service when they listen on the ports after its own."""
    return {
        f"LUOSHI_{s.name.upper()}_URL": f"http://{host}:{gateway_port + s.port_offset}"
        for s in SERVICES
        if s.name != "gateway"
    }


def subscriptions() -> dict[str, tuple[str, ...]]:
    """``{service: event types}`` from every service's handler table."""
    return {s.name: s.handlers().event_types for s in SERVICES}
