"""The embedded default: all five services in one process, SQLite files, the in-process bus."""

from __future__ import annotations

import asyncio

import uvicorn

from luoshi_cli.registry import SERVICES, upstream_env
from luoshi_cli.serving import uvicorn_config
from luoshi_kit.messaging.inproc import InProcessBus


async def serve_all(host: str, gateway_port: int, database_url: str, secrets: dict[str, str]) -> None:
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
    try:
        await asyncio.gather(*(server.serve() for server in servers))
    finally:
        await bus.close()
