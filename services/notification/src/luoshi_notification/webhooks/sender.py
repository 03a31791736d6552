"""One delivery attempt: check the endpoint again, connect to the checked address, sign, post, judge."""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass
from functools import cache

import httpx

from luoshi_notification.webhooks import ssrf
from luoshi_notification.webhooks.rules import headers


@dataclass(frozen=True)
class Result:
    ok: bool
    status_code: int | None
    error: str | None
    seconds: float
    reason: str
    """for the failure metric: refused / redirect / status / network"""


@cache
def _tls() -> ssl.SSLContext:
    """One verifying context for every post: building one loads the CA bundle (milliseconds of CPU each)."""
    return httpx.create_ssl_context(trust_env=False)


async def post(
    *,
    url: str,
    body: str,
    msg_id: str,
    keys: list[str],
    allowed_hosts: frozenset[str],
    seconds: float,
    resolver: ssrf.Resolver = ssrf.resolve,
) -> Result:
    began = time.perf_counter()
    try:
        target = await ssrf.check(url, allowed_hosts, resolver)
    except ssrf.UnsafeEndpoint as exc:
        return Result(False, None, str(exc), time.perf_counter() - began, "refused")
    raw = body.encode()
    sent_headers = headers(msg_id, int(time.time()), raw, keys) | target.headers
    extensions = {"sni_hostname": target.sni} if target.sni else None
    try:
        async with httpx.AsyncClient(
            follow_redirects=False, timeout=seconds, trust_env=False, verify=_tls()
        ) as client:
            response = await client.post(target.url, content=raw, headers=sent_headers, extensions=extensions)
    except httpx.HTTPError as exc:
        return Result(
            False, None, f"{type(exc).__name__}: {exc}"[:500], time.perf_counter() - began, "network"
        )
    seconds = time.perf_counter() - began
    if 200 <= response.status_code < 300:
        return Result(True, response.status_code, None, seconds, "")
    if 300 <= response.status_code < 400:
        where = response.headers.get("location", "")
        return Result(
            False,
            response.status_code,
            f"重定向不跟随 redirect not followed: {where}"[:500],
            seconds,
            "redirect",
        )
    return Result(
        False, response.status_code, f"HTTP {response.status_code}: {response.text[:200]}", seconds, "status"
    )
