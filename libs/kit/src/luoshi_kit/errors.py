"""RFC 9457 problem details for every error a service returns."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)


def problem_type(slug: str) -> str:
    return f"urn:luoshi:problem:{slug}"


class Problem(Exception):
    """Raise from anywhere in a request to answer with a problem+json document."""

    def __init__(self, status: int, slug: str, title: str, detail: str | None = None, **extra: Any):
        super().__init__(detail or title)
        self.status, self.slug, self.title, self.detail, self.extra = status, slug, title, detail, extra


def problem_response(
    status: int, slug: str, title: str, detail: str | None = None, instance: str | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"type": problem_type(slug), "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


_HTTP_SLUGS = {
    400: ("bad-request", "请求有误 Bad request"),
    401: ("unauthenticated", "未认证 Not authenticated"),
    403: ("forbidden", "无权操作 Forbidden"),
    404: ("not-found", "未找到 Not found"),
    405: ("method-not-allowed", "方法不允许 Method not allowed"),
    409: ("conflict", "状态冲突 Conflict"),
    413: ("too-large", "请求过大 Payload too large"),
}


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status, exc.slug, exc.title, exc.detail, instance=request.url.path, **exc.extra
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in exc.errors()
        ]
        return problem_response(
            422, "validation", "输入有误 Invalid input", "请求内容未通过校验", request.url.path, errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug, title = _HTTP_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
        response = problem_response(exc.status_code, slug, title, str(exc.detail), request.url.path)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        response = problem_response(500, "internal", "内部错误 Internal error", None, request.url.path)
        # This answer leaves outside every middleware (Starlette's ServerErrorMiddleware sends it).
        from luoshi_kit.headers import add_security_headers

        add_security_headers(response.headers, request.url.path)
        return response
