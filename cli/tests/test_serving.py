"""Every process runs uvicorn without its banner and without believing forwarded headers."""

from __future__ import annotations

import json
import subprocess  # nosec B404
import sys

import pytest
from fastapi import FastAPI

from luoshi_cli.serving import uvicorn_config
from luoshi_gateway.proxy.client import KEEPALIVE_SECONDS


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])  # a test value: nothing binds
def test_uvicorn_config(host: str) -> None:
    config = uvicorn_config(FastAPI(), host=host, port=8000)
    assert config.server_header is False
    # uvicorn would otherwise rewrite the client from X-Forwarded-For whenever the peer is 127.0.0.1.
    assert config.proxy_headers is False
    assert config.access_log is False and config.lifespan == "on"


def test_services_keep_idle_connections_longer_than_the_gateway_reuses_them() -> None:
    """Otherwise the gateway may send a request on a connection the service is just closing: a 502."""
    config = uvicorn_config(FastAPI(), host="127.0.0.1", port=8000)
    assert config.timeout_keep_alive > KEEPALIVE_SECONDS + 10


def test_a_served_process_freezes_its_start_up_objects_and_collects_less_often() -> None:
    script = (
        "import gc, json; from luoshi_cli.serving import tune_gc; before = gc.get_threshold(); "
        "tune_gc(0); kept = gc.get_threshold(), gc.get_freeze_count(); tune_gc(50000); "
        "print(json.dumps([before, kept, gc.get_threshold(), gc.get_freeze_count()]))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)  # nosec B603
    before, (kept, frozen_by_zero), after, frozen = json.loads(out.stdout)
    assert kept == before and frozen_by_zero == 0  # 0: Python's own settings
    assert after == [50000, *before[1:]]
    assert frozen > 10_000  # the modules' objects, out of the collector's sight
