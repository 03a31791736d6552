"""How every Luoshi process runs uvicorn: no ``server`` banner, no forwarded headers believed.

uvicorn by default rewrites the client address from ``X-Forwarded-For`` whenever the peer is
127.0.0.1 (``proxy_headers``/``forwarded_allow_ips``); Luoshi decides that itself, from
``LUOSHI_TRUSTED_PROXIES`` (``luoshi_kit.forwarded``), so uvicorn must not.

Idle keep-alive connections stay open ``KEEP_ALIVE_SECONDS`` (uvicorn's default is 5 s): longer than the
gateway's proxy keeps one for reuse, so the client side always closes first and never sends a request on a
connection the server is closing at that moment.
"""

from __future__ import annotations

import gc
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


def tune_gc(young_threshold: int) -> None:
    """Spare a served process the garbage collector's work on what lives as long as the process.

    Once the app is built some 150,000 objects are alive (modules, routes, SQLAlchemy's and pydantic's
    schemas) that every full collection traversed again (~120 ms each); ``gc.freeze`` moves them out of
    the collector's sight. A request allocates thousands of short-lived containers, and Python collects the
    youngest generation every 700: a larger threshold collects as much garbage in far fewer passes
    (reference counting frees almost everything anyway; the collector only finds cycles)."""
    if young_threshold <= 0:
        return
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(young_threshold, older, oldest)
