"""Server-side request forgery guard for webhook endpoints.

An endpoint must be http(s), name no credentials, and resolve only to public addresses: loopback,
link-local (169.254.169.254, the cloud metadata address), private (10/8, 172.16/12, 192.168/16,
fc00::/7), multicast, reserved and unspecified addresses are refused — when the subscription is
registered, and again at every connection (DNS may answer differently later: rebinding). The sender then
connects to the very address it checked (the Host header and TLS SNI keep the name), so no second lookup
can slip in another one. Redirects are never followed. ``LUOSHI_WEBHOOK_ALLOWED_HOSTS`` lists hosts an
administrator allows to resolve anywhere.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]


class UnsafeEndpoint(ValueError):
    """The endpoint may not be called (the message says why, zh-CN first)."""


async def resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def forbidden(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


@dataclass(frozen=True)
class Target:
    url: str
    """What to connect to: the checked address in place of the name (or the URL itself, allow-listed)."""
    host: str
    headers: dict[str, str]
    sni: str | None


def parse(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeEndpoint("地址须为 http(s) URL The endpoint must be an http(s) URL")
    if parts.username or parts.password:
        raise UnsafeEndpoint("地址不得包含用户名或密码 The endpoint must not carry credentials")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, parts.hostname.lower(), port


async def check(url: str, allowed_hosts: frozenset[str], resolver: Resolver = resolve) -> Target:
    scheme, host, port = parse(url)
    if host in allowed_hosts:
        return Target(url=url, host=host, headers={}, sni=None)
    try:
        literal: Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    try:
        addresses = [literal] if literal else [ipaddress.ip_address(a) for a in await resolver(host, port)]
    except OSError as exc:
        raise UnsafeEndpoint(f"无法解析地址 The host does not resolve: {host}") from exc
    if not addresses:
        raise UnsafeEndpoint(f"无法解析地址 The host does not resolve: {host}")
    bad = [str(a) for a in addresses if forbidden(a)]
    if bad:
        raise UnsafeEndpoint(
            "地址指向内网、回环、链路本地或组播地址, 已拒绝 "
            f"The endpoint resolves to a non-public address: {', '.join(bad)}"
        )
    chosen = addresses[0]
    netloc = f"[{chosen}]" if chosen.version == 6 else str(chosen)
    parts = urlsplit(url)
    pinned = urlunsplit((scheme, f"{netloc}:{port}", parts.path or "/", parts.query, ""))
    host_header = parts.netloc.rsplit("@", 1)[-1]
    return Target(
        url=pinned, host=host, headers={"host": host_header}, sni=host if scheme == "https" else None
    )
