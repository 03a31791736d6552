"""A small client of the gateway's public API for the demo loader: one token per account, a bounded
number of requests in flight, and an error that names the request when the answer is not the one wanted."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx


class DemoError(RuntimeError):
    pass


class Api:
    def __init__(self, base_url: str, password: str, *, parallel: int = 4, timeout: float = 60) -> None:
        self.http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout)
        self.password = password
        self.tokens: dict[str, str] = {}
        self.gate = asyncio.Semaphore(parallel)
        self.requests = 0

    async def close(self) -> None:
        await self.http.aclose()

    async def sign_in(self, username: str) -> None:
        if username in self.tokens:
            return
        async with self.gate:
            response = await self.http.post(
                "/api/v1/auth/token", data={"username": username, "password": self.password}
            )
        if response.status_code != 200:
            raise DemoError(f"sign-in of {username} failed: {response.status_code} {response.text[:300]}")
        self.tokens[username] = response.json()["access_token"]

    async def call(
        self,
        who: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        ok: tuple[int, ...] = (200, 201, 204),
        key: bool = False,
    ) -> Any:
        """``method path`` as ``who``; with ``key`` an Idempotency-Key, so a retry after a timeout is safe."""
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        if key:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        for attempt in range(3):
            try:
                async with self.gate:
                    self.requests += 1
                    response = await self.http.request(
                        method, path, json=json, params=params, headers=headers
                    )
                break
            except httpx.TransportError:
                if attempt == 2 or (method != "GET" and not key):
                    raise
                await asyncio.sleep(1 + attempt)
        if response.status_code not in ok:
            raise DemoError(f"{who}: {method} {path} → {response.status_code} {response.text[:400]}")
        return response.json() if response.content else None

    async def get(self, who: str, path: str, **params: Any) -> Any:
        return await self.call(who, "GET", path, params=params or None)

    async def post(self, who: str, path: str, body: Any = None, *, key: bool = False) -> Any:
        return await self.call(who, "POST", path, json=body, key=key)
