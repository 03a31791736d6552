"""The embedded default: all five services in one process, SQLite files, the in-process bus."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import uvicorn

from luoshi_cli.readiness import wait_until_ready
from luoshi_cli.registry import SERVICES, upstream_env
from luoshi_cli.serving import tune_gc, uvicorn_config
from luoshi_kit.messaging.inproc import InProcessBus


async def serve_all(
    host: str,
    gateway_port: int,
    database_url: str,
    secrets: dict[str, str],
    on_ready: Callable[[], None] = lambda: None,
) -> None:
    bus = InProcessBus()
    upstreams = {k.removeprefix("LUOSHI_").lower(): v for k, v in upstream_env(host, gateway_port).items()}
    servers = []
    for entry in SERVICES:
        extra = upstreams if entry.name == "gateway" else {}
        settings = entry.settings(
            database_url=database_url,
            internal_secret=secrets["LUOSHI_INTERNAL_SECRET"],
            **({"jwt_secret": secrets["LUOSHI_JWT_SECRET"]} if entry.name == "gateway" else {}),
            **extra,
        )
        app = entry.factory()(settings, bus=bus)
        config = uvicorn_config(app, host=host, port=gateway_port + entry.port_offset)
        servers.append(uvicorn.Server(config))
    tune_gc(settings.gc_young_threshold)  # one process serves them all

    async def announce() -> None:
        await wait_until_ready(host, gateway_port)
        on_ready()

    announcing = asyncio.create_task(announce())
    try:
        await asyncio.gather(*(server.serve() for server in servers))
    finally:
        announcing.cancel()
        await bus.close()
