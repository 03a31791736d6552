"""One OpenAPI document for the whole public API: the gateway's own routes plus every service's."""

from __future__ import annotations

import copy
import json
import logging
import time
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from luoshi_gateway.proxy.client import ServiceClient
from luoshi_kit.errors import Problem

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
_CACHE_SECONDS = 60.0


def merge(gateway: dict[str, Any], services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Adds each service's /api paths and schemas to the gateway's document (gateway wins on clashes)."""
    merged = copy.deepcopy(gateway)
    paths = merged.setdefault("paths", {})
    schemas = merged.setdefault("components", {}).setdefault("schemas", {})
    for service, document in sorted(services.items()):
        for path, operations in document.get("paths", {}).items():
            if not path.startswith("/api/"):
                continue
            target = paths.setdefault(path, {})
            for method, operation in operations.items():
                target.setdefault(method, {**operation, "tags": operation.get("tags") or [service]})
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            if name in schemas and schemas[name] != schema:
                log.warning("schema %s of %s clashes with one merged before; kept the first", name, service)
                continue
            schemas.setdefault(name, schema)
    merged["info"] = {**merged.get("info", {}), "title": "Luoshi 落实 — 政府督查管理平台 API"}
    return merged


async def _fetch(client: ServiceClient) -> dict[str, dict[str, Any]]:
    documents = {}
    for service in client.upstreams:
        try:
            status, _, body = await client.forward(service, "GET", "/openapi.json", {}, b"")
        except Problem:
            log.warning("no OpenAPI document from %s (down?)", service)
            continue
        if status == 200:
            documents[service] = json.loads(body)
    return documents


@router.get("/api/v1/openapi.json")
async def merged_openapi(request: Request) -> dict[str, Any]:
    app: FastAPI = request.app
    cached = getattr(app.state, "merged_openapi", None)
    if cached and time.monotonic() - cached[0] < _CACHE_SECONDS:
        return cached[1]
    document = merge(app.openapi(), await _fetch(app.state.services))
    app.state.merged_openapi = (time.monotonic(), document)
    return document


@router.get("/api/docs")
async def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/api/v1/openapi.json", title="Luoshi 落实 API")
