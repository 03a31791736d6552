"""RFC 9457 problem details for every error a service returns: one shape, a bilingual message (zh-CN first).

Every problem has ``type`` (``urn:luoshi:problem:<slug>``), ``title``, ``status``, ``detail`` and
``instance``; validation problems add ``errors[]`` entries ``{loc, msg, type}`` whose ``msg`` is zh-CN first,
English after.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi import routing as fastapi_routing
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)


def problem_type(slug: str) -> str:
    return f"urn:luoshi:problem:{slug}"


class Problem(Exception):
    """Raise from anywhere in a request to answer with a problem+json document."""

    def __init__(self, status: int, slug: str, title: str, detail: str | None = None, **extra: Any):
        super().__init__(detail or title)
        self.status, self.slug, self.title, self.detail, self.extra = status, slug, title, detail, extra


def not_found(what: str = "资源 Resource", detail: str | None = None) -> Problem:
    """The one answer for something that does not exist *or* lies outside the caller's subtree."""
    return Problem(404, "not-found", "未找到 Not found", detail or f"{what}不存在或不在您的管辖范围内")


def problem_response(
    status: int, slug: str, title: str, detail: str | None = None, instance: str | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"type": problem_type(slug), "title": title, "status": status}
    body["detail"] = detail or title
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


HTTP_PROBLEMS: dict[int, tuple[str, str, str]] = {
    # status: (slug, title, default detail)
    400: ("bad-request", "请求有误 Bad request", "请求无法解析 The request could not be parsed"),
    401: ("unauthenticated", "未认证 Not authenticated", "请先登录 Sign in first"),
    403: ("forbidden", "无权操作 Forbidden", "您无权执行此操作 You may not do this"),
    404: ("not-found", "未找到 Not found", "没有此资源 No such resource"),
    405: ("method-not-allowed", "方法不允许 Method not allowed", "此路径不支持该方法"),
    406: ("not-acceptable", "无法提供所需格式 Not acceptable", "无法以所要求的格式应答"),
    409: ("conflict", "状态冲突 Conflict", "与当前状态冲突 Conflicts with the current state"),
    413: ("too-large", "请求过大 Payload too large", "请求内容超过上限 The body is too large"),
    415: ("unsupported-media-type", "不支持的内容类型 Unsupported media type", "请求的内容类型不受支持"),
    422: ("validation", "输入有误 Invalid input", "请求内容未通过校验 The request did not validate"),
    429: ("too-many-requests", "请求过多 Too many requests", "请稍后再试 Try again later"),
    500: ("internal", "内部错误 Internal error", "服务内部错误, 已记录 An internal error was logged"),
}

# Starlette's default details (English reason phrases) are replaced by the bilingual default above.
_ENGLISH_DEFAULTS = {
    "Not Found",
    "Method Not Allowed",
    "Bad Request",
    "There was an error parsing the body",
    "Unauthorized",
    "Forbidden",
    "Conflict",
    "Request Entity Too Large",
    "Content Too Large",
    "Unsupported Media Type",
    "Not Acceptable",
}

# pydantic's error types in zh-CN; the English message pydantic produced follows it.
_VALIDATION_ZH: dict[str, str] = {
    "missing": "缺少必填字段",
    "missing_argument": "缺少必填参数",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为字符串",
    "string_too_short": "字符串过短 (至少 {min_length} 个字符)",
    "string_too_long": "字符串过长 (至多 {max_length} 个字符)",
    "string_pattern_mismatch": "格式不符 (应匹配 {pattern})",
    "string_unicode": "应为有效的 Unicode 字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数 (不能有小数)",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限数字",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值 (true/false)",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应大于或等于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应小于或等于 {le}",
    "multiple_of": "应为 {multiple_of} 的倍数",
    "too_short": "条目过少 (至少 {min_length} 项)",
    "too_long": "条目过多 (至多 {max_length} 项)",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "literal_error": "取值无效 (可选 {expected})",
    "enum": "取值无效 (可选 {expected})",
    "date_type": "应为日期",
    "date_parsing": "日期格式无效 (应为 YYYY-MM-DD)",
    "date_from_datetime_parsing": "日期格式无效 (应为 YYYY-MM-DD)",
    "date_from_datetime_inexact": "应为日期, 不应含时间",
    "datetime_type": "应为日期时间",
    "datetime_parsing": "日期时间格式无效 (应为 ISO 8601)",
    "datetime_from_date_parsing": "日期时间格式无效 (应为 ISO 8601)",
    "time_parsing": "时间格式无效",
    "timezone_aware": "应带时区",
    "uuid_type": "应为 UUID",
    "uuid_parsing": "UUID 格式无效",
    "url_parsing": "网址格式无效",
    "url_type": "应为网址",
    "json_invalid": "JSON 格式无效",
    "json_type": "应为 JSON",
    "value_error": "取值无效",
    "assertion_error": "取值无效",
    "union_tag_invalid": "类型标记无效",
    "decimal_parsing": "应为数字",
    "bytes_type": "应为字节串",
    "none_required": "应为空 (null)",
    "is_instance_of": "类型无效",
    "frozen_field": "字段不可修改",
    "set_type": "应为集合",
    "tuple_type": "应为数组",
}


def zh_message(error: dict[str, Any]) -> str:
    """``缺少必填字段 Field required``: the zh-CN wording of a pydantic error type, then its English."""
    english = str(error.get("msg") or "")
    template = _VALIDATION_ZH.get(str(error.get("type") or ""))
    if template is None:
        return f"输入无效 {english}".strip()
    try:
        zh = template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        zh = template.split(" (", 1)[0]
    if english.startswith("Value error, "):
        english = english.removeprefix("Value error, ")  # our own validators already speak zh-CN
    return f"{zh} {english}".strip()


def validation_errors(errors: Any) -> list[dict[str, Any]]:
    return [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": zh_message(e), "type": str(e.get("type"))}
        for e in errors
    ]


def _summary(errors: list[dict[str, Any]]) -> str:
    first = errors[0] if errors else None
    if first is None:
        return HTTP_PROBLEMS[422][2]
    where = ".".join(first["loc"])
    more = f" (另有 {len(errors) - 1} 处)" if len(errors) > 1 else ""
    return f"请求内容未通过校验: {where}: {first['msg']}{more}"


def http_problem(
    status: int, detail: Any, instance: str, headers: dict[str, str] | None = None, method: str = ""
) -> JSONResponse:
    slug, title, default = HTTP_PROBLEMS.get(status, ("http-error", f"HTTP 错误 {status}", f"HTTP {status}"))
    text = str(detail) if detail and str(detail) not in _ENGLISH_DEFAULTS else default
    if status == 400 and text != default:
        text = f"请求无法解析: {text}"  # Starlette's parser speaks English only (e.g. a bad multipart body)
    if status == 404 and text == default:
        text = f"没有此路径 No such path: {instance}"
    if status == 405 and headers and "allow" in {k.lower() for k in headers}:
        allow = next(v for k, v in headers.items() if k.lower() == "allow")
        text = f"{instance} 不支持 {method} 方法, 可用: {allow} (allowed: {allow})"
    response = problem_response(status, slug, title, text, instance)
    if headers:
        response.headers.update(headers)
    return response


def effective_routes(routes: Sequence[Any]) -> Iterator[Any]:
    """Every route with its effective path, methods and dependencies, including those of included routers
    (FastAPI keeps included routers as one lazy entry in ``app.routes``)."""
    iterate = getattr(fastapi_routing, "iter_route_contexts", None)
    yield from (iterate(routes) if iterate is not None else routes)


def original_route(route: Any) -> Any:
    return getattr(route, "original_route", route)


def allowed_methods(request: Request) -> str:
    """Every method a documented route serves at this path (Starlette's own 405 names only the first
    route's); catch-alls left out of the OpenAPI document (the gateway's proxy) count only when nothing
    documented matches. Empty when no route has this path."""
    documented: set[str] = set()
    hidden: set[str] = set()
    for route in effective_routes(request.app.router.routes):
        match, _ = route.matches({**request.scope, "method": "\x00"})
        if match is Match.PARTIAL and getattr(route, "methods", None):
            (documented if getattr(route, "include_in_schema", True) else hidden).update(route.methods)
    methods = documented or hidden
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


# SQLSTATE classes that mean "the database cannot serve right now", not "this request is wrong":
# 08 connection exception, 53 insufficient resources (too many connections), 57P operator intervention
# (shutdown, cannot connect now), 55000 (a database not accepting connections).
_UNAVAILABLE_SQLSTATES = ("08", "53", "57P", "55000")


def database_unavailable(exc: BaseException) -> bool:
    """Did the database refuse or drop the connection (so a retry later may succeed)?"""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    for candidate in (
        exc,
        getattr(exc, "orig", None),
        getattr(getattr(exc, "orig", None), "__cause__", None),
    ):
        state = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(state, str) and state.startswith(_UNAVAILABLE_SQLSTATES):
            return True
    return isinstance(exc, DBAPIError) and isinstance(exc.orig, ConnectionError | OSError)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status, exc.slug, exc.title, exc.detail, instance=request.url.path, **exc.extra
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc.errors())
        slug, title, _ = HTTP_PROBLEMS[422]
        return problem_response(422, slug, title, _summary(errors), request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request) or headers.get("Allow", "")
        return http_problem(exc.status_code, exc.detail, request.url.path, headers, request.method)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if database_unavailable(exc) or isinstance(exc, ConnectionRefusedError):
            log.warning("database unavailable", extra={"path": request.url.path, "error": repr(exc)[:300]})
            response = problem_response(
                503,
                "database-unavailable",
                "数据库暂不可用, 请稍后重试 Database unavailable",
                "服务的数据库暂时无法连接；请求未被执行，可稍后重试 (带 Idempotency-Key 可安全重试)",
                request.url.path,
            )
            response.headers["Retry-After"] = "5"
        else:
            log.exception("unhandled error", extra={"path": request.url.path})
            slug, title, detail = HTTP_PROBLEMS[500]
            response = problem_response(500, slug, title, detail, request.url.path)
        # This answer leaves outside every middleware (Starlette's ServerErrorMiddleware sends it).
        from luoshi_kit.headers import add_security_headers

        add_security_headers(response.headers, request.url.path)
        return response
