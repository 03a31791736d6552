"""Prometheus metrics shared by all services (labelled by service, so the embedded mode can host five)."""

from __future__ import annotations

import hmac
import time

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from luoshi_kit.tracing import child_of, current_traceparent

HTTP_REQUESTS = Counter(
    "luoshi_http_requests_total", "HTTP requests handled", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "luoshi_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS_PUBLISHED = Counter(
    "luoshi_events_published_total", "Events published to the bus", ["service", "type"]
)
EVENTS_PUBLISH_FAILED = Counter(
    "luoshi_events_publish_failed_total", "Events the relay could not publish", ["service", "type", "reason"]
)
EVENTS_CONSUMED = Counter("luoshi_events_consumed_total", "Events handled", ["service", "type"])
EVENTS_DUPLICATE = Counter(
    "luoshi_events_duplicate_total", "Redelivered events skipped by the inbox", ["service", "type"]
)
EVENTS_FAILED = Counter("luoshi_events_failed_total", "Event handling failures", ["service", "type"])
OUTBOX_BACKLOG = Gauge("luoshi_outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "luoshi_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row", ["service"]
)


class RequestContextMiddleware:
    """Pure ASGI: sets the trace context from ``traceparent`` and records HTTP metrics."""

    def __init__(self, app: ASGIApp, service: str):
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v.decode() for k, v in scope["headers"] if k == b"traceparent"), None)
        token = current_traceparent.set(child_of(incoming))
        start = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append(
                    (b"traceparent", (current_traceparent.get() or "").encode())
                )
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            HTTP_REQUESTS.labels(self.service, method, template, str(status)).inc()
            HTTP_LATENCY.labels(self.service, method, template).observe(time.perf_counter() - start)
            current_traceparent.reset(token)


def install_metrics(app: FastAPI, service: str, *, token: str | None = None) -> None:
    """``/metrics`` for Prometheus. ``token=None``: open (a service on the internal network);
    a string: the public gateway's, answered only to ``Authorization: Bearer <token>`` (404 when the
    token is empty, so an unconfigured gateway shows nothing)."""
    app.add_middleware(RequestContextMiddleware, service=service)

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        if token is not None and not _bearer_matches(request, token):
            from luoshi_kit.errors import Problem

            raise Problem(404, "not-found", "未找到 Not found", "没有该资源 No such resource")
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _bearer_matches(request: Request, token: str) -> bool:
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.encode(), token.encode())
