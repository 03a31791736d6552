"""The caller's address: ``X-Forwarded-For`` counts only when the peer is a configured proxy.

``LUOSHI_TRUSTED_PROXIES`` lists addresses or networks (comma-separated, e.g.
``10.0.0.5,10.1.0.0/16``); empty trusts none, so a client cannot write its own address into the
audit trail or dodge sign-in throttling with a made-up header. Behind trusted proxies the
right-most address that is not itself a trusted proxy is the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from starlette.requests import HTTPConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=32)
def parse_networks(spec: str) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(connection: HTTPConnection, trusted_proxies: str) -> str | None:
    peer = connection.client.host if connection.client else None
    networks = parse_networks(trusted_proxies)
    if peer is None or not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for v in connection.headers.getlist("x-forwarded-for") for h in v.split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage in the header: fall back to what we know
    return peer
