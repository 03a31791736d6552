"""One OpenAPI document for the whole public API: the gateway's own routes plus every service's."""

from __future__ import annotations

import copy
import json
import logging
import time
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from luoshi_gateway.proxy.client import ServiceClient
from luoshi_kit.errors import Problem
from luoshi_kit.openapi import SECURITY, SECURITY_SCHEMES, problem_response

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
_CACHE_SECONDS = 60.0
# Swagger UI and ReDoc come with the fastapi-offline package: no CDN, a 政务外网 cannot reach one.
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOCS_STATIC = "/api/docs/static"


PUBLIC_PREFIX = "/api/v1/public/"


def _proxied(operation: dict[str, Any], service: str, path: str) -> dict[str, Any]:
    """A service's operation as the gateway serves it: signed in with the gateway's bearer token (the public
    portal's paths excepted), and answering 502/504 when the service is down or slow."""
    operation = {**operation, "tags": operation.get("tags") or [service]}
    public = path.startswith(PUBLIC_PREFIX)
    operation["security"] = [] if public else SECURITY
    responses = operation["responses"] = dict(operation.get("responses", {}))
    for status in (502, 504) if public else (401, 502, 504):
        responses.setdefault(str(status), problem_response(status))
    return operation


def merge(gateway: dict[str, Any], services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Adds each service's /api paths and schemas to the gateway's document (gateway wins on clashes).

    Every service operation goes through the proxy, which needs a signed-in caller: each declares the
    gateway's OAuth2 password (bearer) scheme, so Swagger's "Authorize" sends the token. The public portal's
    paths (``/api/v1/public/...``) declare no security: they are answered without sign-in.
    """
    merged = copy.deepcopy(gateway)
    paths = merged.setdefault("paths", {})
    components = merged.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    components.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    for service, document in sorted(services.items()):
        for path, operations in document.get("paths", {}).items():
            if not path.startswith("/api/"):
                continue
            target = paths.setdefault(path, {})
            for method, operation in operations.items():
                target.setdefault(method, _proxied(operation, service, path))
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
            status, _, body = await client.forward(service, "GET", b"/openapi.json", {}, b"")
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


_SWAGGER_HTML = f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>Luoshi 落实 API</title>
<link rel="icon" type="image/png" href="{DOCS_STATIC}/favicon.png">
<link rel="stylesheet" href="{DOCS_STATIC}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{DOCS_STATIC}/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
"""

# A file, not an inline script, so the Content-Security-Policy can stay at script-src 'self'.
_SWAGGER_INIT = """window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    persistAuthorization: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
};
"""

_REDOC_HTML = f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>Luoshi 落实 API — ReDoc</title>
<link rel="icon" type="image/png" href="{DOCS_STATIC}/favicon.png">
</head>
<body>
<redoc spec-url="/api/v1/openapi.json"></redoc>
<script src="{DOCS_STATIC}/redoc.standalone.js"></script>
</body>
</html>
"""


@router.get("/api/docs")
async def swagger_ui() -> HTMLResponse:
    return HTMLResponse(_SWAGGER_HTML)


@router.get("/api/docs/init.js")
async def swagger_init() -> Response:
    return Response(_SWAGGER_INIT, media_type="text/javascript")


@router.get("/api/redoc")
async def redoc() -> HTMLResponse:
    return HTMLResponse(_REDOC_HTML)


def mount_docs_assets(app: FastAPI) -> None:
    app.mount(DOCS_STATIC, StaticFiles(directory=DOCS_ASSETS), name="docs-static")
    # Ahead of the web UI's catch-all ``GET /{path:path}``, which answers 404 for any /api/... it meets.
    app.router.routes.insert(0, app.router.routes.pop())
