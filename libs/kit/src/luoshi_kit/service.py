"""Builds a service's FastAPI app: database, bus, outbox relay, consumer, health, metrics, errors."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase

from luoshi_kit.db import ServiceTables, database_ready, make_engine, make_sessionmaker
from luoshi_kit.errors import install_problem_handlers
from luoshi_kit.headers import SecurityHeadersMiddleware
from luoshi_kit.limits import BodyLimitMiddleware
from luoshi_kit.messaging.amqp import AmqpBus
from luoshi_kit.messaging.bus import Bus
from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_kit.messaging.inbox import EventConsumer
from luoshi_kit.messaging.relay import OutboxRelay
from luoshi_kit.metrics import install_metrics
from luoshi_kit.openapi import install_openapi
from luoshi_kit.paths import PathGuardMiddleware
from luoshi_kit.settings import KitSettings
from luoshi_proto.subscriptions import SUBSCRIPTIONS

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[FastAPI], Awaitable[bool]]
"""``async def replica_loaded(app) -> bool``: True when the service can serve; shown in /readyz by name."""


@dataclass
class ServiceSpec:
    """What a service brings: its tables, routes and event handlers."""

    name: str
    title: str
    tables: ServiceTables
    routers: Sequence[APIRouter] = ()
    handlers: HandlerTable = field(default_factory=HandlerTable)
    """Event type -> typed handler; the service's queue bindings are generated from it."""
    background: Sequence[Callable[[FastAPI], Coroutine[Any, Any, None]]] = ()
    """Long-running jobs started with the app (each gets the app and runs until cancelled)."""
    identity_calls: Sequence[Callable[..., Any]] = ()
    """Dependencies that mean "needs a signed-in caller" besides the kit's ``current_identity``."""
    readiness: Sequence[ReadinessCheck] = ()
    """What else must hold before /readyz answers 200, beyond database and broker (e.g. a replica
    fed by events is complete). Each runs on every /readyz; keep it to one or two cheap queries."""
    upload_paths: Sequence[str] = ()
    """Paths whose request bodies may reach ``upload_max_body_bytes`` (others: ``max_body_bytes``)."""
    public: bool = False
    """The one app facing the public (the gateway): no /docs or /openapi.json of its own (the merged
    document and docs live under /api), and /metrics only with the metrics token."""

    @property
    def base(self) -> type[DeclarativeBase]:
        """The service's declarative base (its metadata is what migrations are generated from)."""
        return self.tables.base


def build_bus(settings: KitSettings) -> Bus:
    if not settings.amqp_url:
        raise RuntimeError("LUOSHI_AMQP_URL is not set; the embedded mode passes its in-process bus in")
    return AmqpBus(
        settings.amqp_url,
        prefetch=settings.consumer_prefetch,
        batch_size=settings.consumer_batch_size,
        delivery_limit=settings.delivery_limit,
        linger_seconds=settings.consumer_linger_seconds,
    )


async def _connect_and_consume(
    bus: Bus, owns_bus: bool, service: str, consumer: EventConsumer | None
) -> None:
    """Keep trying until the broker answers: a service starts, and takes writes, while it is down."""
    delay = 0.5
    while owns_bus:
        try:
            await bus.start()
            break
        except Exception as exc:
            log.warning("broker not reachable (%s); retrying in %.1fs", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)
    if consumer:
        await bus.consume(service, consumer.handle_batch, consumer.handle_one)


async def _safely(check: ReadinessCheck, app: FastAPI) -> bool:
    try:
        return await check(app)
    except Exception:
        log.warning("readiness check %s failed", getattr(check, "__name__", check), exc_info=True)
        return False


def check_bindings(spec: ServiceSpec) -> None:
    """The generated subscriptions must be this service's handler table: a handler without a binding
    would never be called, a binding without a handler would swallow events."""
    bound = set(SUBSCRIPTIONS.get(spec.name, ()))
    handled = set(spec.handlers.event_types)
    if bound != handled:
        raise RuntimeError(
            f"{spec.name}: queue bindings differ from its handler table "
            f"(unbound handlers: {sorted(handled - bound)}, unhandled bindings: {sorted(bound - handled)}); "
            "run `luoshi generate`"
        )


def create_service_app(spec: ServiceSpec, settings: KitSettings, *, bus: Bus | None = None) -> FastAPI:
    check_bindings(spec)
    if not settings.internal_secret:
        raise RuntimeError(
            "LUOSHI_INTERNAL_SECRET must be set (the key of identities forwarded by the gateway)"
        )
    owns_bus = bus is None
    the_bus: Bus = bus if bus is not None else build_bus(settings)
    engine: AsyncEngine = make_engine(settings.resolved_database_url(), pool_size=settings.db_pool_size)
    relay_box: list[OutboxRelay] = []
    sessionmaker: async_sessionmaker[AsyncSession] = make_sessionmaker(
        engine, spec.tables, on_outbox_commit=lambda: relay_box[0].wake() if relay_box else None
    )
    relay = OutboxRelay(
        service=spec.name,
        bus=the_bus,
        sessionmaker=sessionmaker,
        batch_size=settings.outbox_batch_size,
        poll_seconds=settings.outbox_poll_seconds,
        keep_days=settings.outbox_keep_days,
    )
    relay_box.append(relay)
    consumer = (
        EventConsumer(service=spec.name, sessionmaker=sessionmaker, handlers=spec.handlers)
        if len(spec.handlers)
        else None
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(_connect_and_consume(the_bus, owns_bus, spec.name, consumer))]
        tasks += [asyncio.create_task(job(app)) for job in spec.background]
        relay.start()
        try:
            yield
        finally:
            await relay.stop()
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if owns_bus:
                await the_bus.close()
            await engine.dispose()

    public = spec.public
    app = FastAPI(
        title=spec.title,
        lifespan=lifespan,
        version="0.1.0",
        docs_url=None if public else "/docs",
        redoc_url=None if public else "/redoc",
        openapi_url=None if public else "/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker
    app.state.bus = the_bus
    app.state.relay = relay
    app.state.service = spec.name
    install_problem_handlers(app)
    # Added innermost first: security headers wrap everything, the metrics see a refused body's 413.
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.upload_max_body_bytes,
        upload_paths=spec.upload_paths,
    )
    install_metrics(app, spec.name, token=settings.metrics_token if spec.public else None)
    app.add_middleware(PathGuardMiddleware)  # before routing: /a/..%2F..%2Fmetrics never meets a router
    app.add_middleware(SecurityHeadersMiddleware)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": spec.name}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        checks = {"database": await database_ready(engine), "broker": await the_bus.healthy()}
        for check in spec.readiness:
            checks[check.__name__] = checks["database"] and await _safely(check, request.app)
        ok = all(checks.values())
        backlog = await relay.backlog() if checks["database"] else None
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": checks, "outbox_backlog": backlog},
            status_code=200 if ok else 503,
        )

    for router in spec.routers:
        app.include_router(router)
    install_openapi(app, identity_calls=spec.identity_calls)
    return app
