"""OpenAPI that tells the truth: every operation declares the errors it can answer and who may call it.

``install_openapi(app)`` replaces FastAPI's ``app.openapi`` with one that post-processes the generated
document, route by route:

- every error is ``application/problem+json`` with the ``Problem`` schema; 422 uses ``ValidationProblem``
  (``errors[]`` of ``{loc, msg, type}``) instead of FastAPI's ``HTTPValidationError`` (``detail[]``);
- the statuses follow from the route: 400 always (an unparseable request, a refused path), 401/403/404 when
  the route needs a signed-in caller (a role check; anything — an id, an ``org`` filter, a code in a body —
  outside the caller's subtree answers 404), 404 for path parameters, 422 for any input, 409 for writes,
  413 for writes with a body, 415 for uploads; statuses a route declares itself (``responses=``, e.g. 429)
  are kept;
- operations that need sign-in declare ``security`` with the gateway's OAuth2 password (bearer) scheme, the
  one Swagger's "Authorize" uses. Services are called by the gateway, which signs the caller's identity for
  them; what a client must present is the gateway's bearer token, so that is what is declared everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from luoshi_kit.errors import HTTP_PROBLEMS, PROBLEM_JSON, effective_routes, original_route
from luoshi_kit.identity import current_identity

BEARER_SCHEME = "OAuth2PasswordBearer"
TOKEN_URL = "/api/v1/auth/token"
SECURITY_SCHEMES: dict[str, Any] = {
    BEARER_SCHEME: {
        "type": "oauth2",
        "description": "登录获取访问令牌 (用户名/密码), 以 `Authorization: Bearer <token>` 携带",
        "flows": {"password": {"tokenUrl": TOKEN_URL, "scopes": {}}},
    }
}
SECURITY: list[dict[str, list[str]]] = [{BEARER_SCHEME: []}]

PROBLEM_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "title": "Problem",
        "description": "RFC 9457 problem details; title and detail are zh-CN first, English after",
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "description": "urn:luoshi:problem:<slug>"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
        },
        "additionalProperties": True,
    },
    "ValidationErrorItem": {
        "title": "ValidationErrorItem",
        "type": "object",
        "required": ["loc", "msg", "type"],
        "properties": {
            "loc": {"type": "array", "items": {"type": "string"}},
            "msg": {"type": "string", "description": "zh-CN first, English after"},
            "type": {"type": "string", "description": "pydantic error type, e.g. missing"},
        },
    },
    "ValidationProblem": {
        "title": "ValidationProblem",
        "allOf": [
            {"$ref": "#/components/schemas/Problem"},
            {
                "type": "object",
                "properties": {
                    "errors": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/ValidationErrorItem"},
                    }
                },
            },
        ],
    },
}

_WRITES = {"post", "put", "patch", "delete"}
_FASTAPI_VALIDATION = {"HTTPValidationError", "ValidationError"}


def problem_response(status: int, schema: str = "Problem") -> dict[str, Any]:
    description = HTTP_PROBLEMS.get(status, ("", f"HTTP {status}", ""))[1]
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _calls(dependant: Dependant) -> Iterable[Callable[..., Any]]:
    for dep in dependant.dependencies:
        if dep.call is not None:
            yield dep.call
        yield from _calls(dep)


def needs_identity(route: Any, identity_calls: set[Callable[..., Any]]) -> bool:
    return any(call in identity_calls for call in _calls(route.dependant))


def error_statuses(*, method: str, signed_in: bool, has_path_params: bool, has_input: bool) -> set[int]:
    statuses = {400}
    if signed_in:
        statuses |= {401, 403, 404}
    if has_path_params:
        statuses.add(404)
    if has_input or has_path_params:
        statuses.add(422)
    if method in _WRITES:
        statuses |= {409, 422}
        if has_input:
            statuses.add(413)
    return statuses


def document_errors(document: dict[str, Any], operation: dict[str, Any], statuses: set[int]) -> None:
    responses = operation.setdefault("responses", {})
    for key in list(responses):
        if key.isdigit() and int(key) >= 400:
            statuses.add(int(key))
    for status in sorted(statuses):
        declared = responses.get(str(status), {})
        schema = "ValidationProblem" if status == 422 else "Problem"
        fresh = problem_response(status, schema)
        responses[str(status)] = {
            **declared,
            "description": declared.get("description") or fresh["description"],
            "content": fresh["content"],
        }


def postprocess(
    document: dict[str, Any],
    routes: Iterable[Any],
    *,
    identity_calls: set[Callable[..., Any]],
) -> dict[str, Any]:
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION:
        schemas.pop(name, None)
    schemas.update(PROBLEM_SCHEMAS)
    components.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    paths = document.get("paths", {})
    for route in effective_routes(list(routes)):
        if not isinstance(original_route(route), APIRoute) or not route.include_in_schema:
            continue
        operations = paths.get(route.path_format, {})
        for method in route.methods or ():
            operation = operations.get(method.lower())
            if operation is None:
                continue
            signed_in = needs_identity(route, identity_calls) or bool(operation.get("security"))
            if signed_in:
                operation["security"] = SECURITY
            params = operation.get("parameters", [])
            statuses = error_statuses(
                method=method.lower(),
                signed_in=signed_in,
                has_path_params=any(p.get("in") == "path" for p in params),
                has_input=bool(params) or "requestBody" in operation,
            )
            if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
                statuses.add(415)  # an uploaded file of the wrong type
            document_errors(document, operation, statuses)
    return document


def install_openapi(app: FastAPI, *, identity_calls: Iterable[Callable[..., Any]] = ()) -> None:
    """Make ``app.openapi()`` return the post-processed document (built once, then cached)."""
    calls = {current_identity, *identity_calls}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = postprocess(document, app.routes, identity_calls=calls)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
