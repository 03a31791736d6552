"""Forwards /api/v1/<resource>/... to the owning service with the caller's signed identity."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from luoshi_gateway.audit.service import record_alone
from luoshi_gateway.auth.deps import UserDep
from luoshi_gateway.clients.rules import MACHINE_ROLE
from luoshi_gateway.proxy.client import RESOURCE_OWNERS, ServiceClient, request_headers, target_of
from luoshi_kit.errors import Problem, allowed_methods
from luoshi_kit.identity import IDENTITY_HEADER, Identity, sign_identity
from luoshi_kit.limits import BODY_LIMIT_KEY, BodyTooLarge
from luoshi_kit.tracing import child_of, current_traceparent

router = APIRouter(tags=["proxy"])
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


async def forward(request: Request, resource: str, user: Identity) -> Response:
    service = RESOURCE_OWNERS.get(resource)
    if service is None:
        allow = allowed_methods(request)
        if allow and request.method not in allow.split(", "):
            # A gateway route (people, orgs, audit, ...) with another method: 405, not the proxy's 404.
            raise StarletteHTTPException(405, headers={"Allow": allow})
        raise Problem(404, "not-found", "未找到 Not found", f"没有资源 /api/v1/{resource}")
    settings = request.app.state.settings
    body = await read_body(request, request.scope.get(BODY_LIMIT_KEY) or settings.max_body_bytes)
    headers = request_headers(request.scope)
    headers[IDENTITY_HEADER] = sign_identity(user, settings.internal_secret)
    headers["traceparent"] = child_of(current_traceparent.get())
    client: ServiceClient = request.app.state.services
    if request.method == "GET" and "text/event-stream" in headers.get("accept", ""):
        path_qs = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        status, response_headers, chunks = await client.stream(service, path_qs, headers)
        return StreamingResponse(chunks, status_code=status, headers=response_headers)
    status, response_headers, content = await client.forward(
        service, request.method, target_of(request.scope), headers, body
    )
    if MACHINE_ROLE in user.roles:  # another platform's call is audited like a person's administrative act
        outcome = "success" if status < 400 else "failure"
        await record_alone(
            request=request, action="client.call", outcome=outcome, actor=user, details={"status": status}
        )
    return Response(content=content, status_code=status, headers=response_headers)


async def read_body(request: Request, limit: int) -> bytes:
    """The body, counted as it streams in (chunked or not): Content-Length is only a claim."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


@router.api_route("/api/v1/{resource}", methods=METHODS, include_in_schema=False)
async def forward_collection(request: Request, resource: str, user: UserDep) -> Response:
    return await forward(request, resource, user)


@router.api_route("/api/v1/{resource}/{rest:path}", methods=METHODS, include_in_schema=False)
async def forward_item(request: Request, resource: str, rest: str, user: UserDep) -> Response:
    return await forward(request, resource, user)
