"""``luoshi up`` says where Luoshi is only once every service's /readyz answers 200."""

from __future__ import annotations

import asyncio
import time

import httpx

from luoshi_cli.registry import SERVICES

POLL_SECONDS = 0.5


def _probe_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # nosec B104 # compares, binds nothing


def readyz_urls(host: str, gateway_port: int) -> list[str]:
    probe = _probe_host(host)
    return [f"http://{probe}:{gateway_port + s.port_offset}/readyz" for s in SERVICES]


async def _all_ready(client: httpx.AsyncClient, urls: list[str]) -> bool:
    async def one(url: str) -> bool:
        try:
            return (await client.get(url)).status_code == 200
        except httpx.HTTPError:
            return False

    return all(await asyncio.gather(*(one(u) for u in urls)))


async def wait_until_ready(host: str, gateway_port: int) -> float:
    """Returns once all five answer 200 (the embedded mode runs this beside its servers)."""
    started, urls = time.monotonic(), readyz_urls(host, gateway_port)
    async with httpx.AsyncClient(timeout=5) as client:
        while True:
            if await _all_ready(client, urls):
                break
            await asyncio.sleep(POLL_SECONDS)
    return time.monotonic() - started


def all_ready(host: str, gateway_port: int) -> bool:
    """One synchronous look (the distributed supervisor polls it between checks on its children)."""
    with httpx.Client(timeout=2) as client:
        for url in readyz_urls(host, gateway_port):
            try:
                if client.get(url).status_code != 200:
                    return False
            except httpx.HTTPError:
                return False
    return True
