"""The public portal's API (公开门户): ``/api/v1/public/<resource>/...`` without sign-in.

Forwarded to the service that owns the resource, with the client's address vouched for by the
gateway (``luoshi_kit.public``) instead of a person's identity. Every method is forwarded: the
service's own routes decide what exists (a method it does not serve is its 405 with ``Allow``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from luoshi_gateway.proxy.client import ServiceClient, request_headers, target_of
from luoshi_gateway.proxy.routes import read_body
from luoshi_kit.errors import Problem, allowed_methods
from luoshi_kit.forwarded import client_address
from luoshi_kit.limits import BODY_LIMIT_KEY
from luoshi_kit.public import PUBLIC_CALLER_HEADER, sign_public_caller
from luoshi_kit.tracing import child_of, current_traceparent

# Which service answers each public resource.
PUBLIC_OWNERS: dict[str, str] = {
    "clues": "supervision",
    "notices": "supervision",
    "rankings": "scoring",
    "incentives": "scoring",
    "accountability": "scoring",
}

router = APIRouter(tags=["public"])
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


async def _forward(request: Request, resource: str) -> Response:
    service = PUBLIC_OWNERS.get(resource)
    if service is None:
        allow = allowed_methods(request)
        if allow and request.method not in allow.split(", "):
            # The gateway's own public route (bulletins) with another method: 405, not a 404.
            raise StarletteHTTPException(405, headers={"Allow": allow})
        raise Problem(404, "not-found", "未找到 Not found", f"没有公开资源 /api/v1/public/{resource}")
    settings = request.app.state.settings
    body = await read_body(request, request.scope.get(BODY_LIMIT_KEY) or settings.max_body_bytes)
    headers = request_headers(request.scope)
    address = client_address(request, settings.trusted_proxies) or "unknown"
    headers[PUBLIC_CALLER_HEADER] = sign_public_caller(address, settings.internal_secret)
    headers["traceparent"] = child_of(current_traceparent.get())
    client: ServiceClient = request.app.state.services
    status, response_headers, content = await client.forward(
        service, request.method, target_of(request.scope), headers, body
    )
    return Response(content=content, status_code=status, headers=response_headers)


@router.api_route("/api/v1/public/{resource}", methods=_METHODS, include_in_schema=False)
async def forward_public_collection(request: Request, resource: str) -> Response:
    return await _forward(request, resource)


@router.api_route("/api/v1/public/{resource}/{rest:path}", methods=_METHODS, include_in_schema=False)
async def forward_public_item(request: Request, resource: str, rest: str) -> Response:
    return await _forward(request, resource)
