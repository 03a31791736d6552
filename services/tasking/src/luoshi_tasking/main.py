"""The tasking service (任务): key tasks, decomposition, assignment, reports, ledgers, deadlines."""

from __future__ import annotations

from fastapi import FastAPI

from luoshi_kit.messaging.bus import Bus
from luoshi_kit.service import ServiceSpec, create_service_app
from luoshi_tasking.config import TaskingSettings
from luoshi_tasking.db import Base
from luoshi_tasking.orgs.handlers import on_org_upserted
from luoshi_tasking.tasks.routes import router as tasks_router

SPEC = ServiceSpec(
    name="tasking",
    title="Luoshi 任务服务 (tasking)",
    base=Base,
    routers=[tasks_router],
    handlers={"gateway.org.upserted.v1": on_org_upserted},
)


def create_app(settings: TaskingSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or TaskingSettings(), bus=bus)
