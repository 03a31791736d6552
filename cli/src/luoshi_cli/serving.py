"""How every Luoshi process runs uvicorn: no ``server`` banner, no forwarded headers believed.

uvicorn by default rewrites the client address from ``X-Forwarded-For`` whenever the peer is
127.0.0.1 (``proxy_headers``/``forwarded_allow_ips``); Luoshi decides that itself, from
``LUOSHI_TRUSTED_PROXIES`` (``luoshi_kit.forwarded``), so uvicorn must not.

Idle keep-alive connections stay open ``KEEP_ALIVE_SECONDS`` (uvicorn's default is 5 s): longer than the
gateway's proxy keeps one for reuse, so the client side always closes first and never sends a request on a
connection the server is closing at that moment.
"""

from __future__ import annotations

from typing import Any

import uvicorn

KEEP_ALIVE_SECONDS = 65


def uvicorn_config(app: Any, *, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        server_header=False,
        proxy_headers=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
