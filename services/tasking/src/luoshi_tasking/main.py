"""The tasking service (任务): key tasks, decomposition, assignment, reports, ledgers, deadlines."""

from __future__ import annotations

from fastapi import FastAPI

from luoshi_kit.fast_routes import install
from luoshi_kit.messaging.bus import Bus
from luoshi_kit.service import ServiceSpec, create_service_app
from luoshi_tasking.calendar.routes import router as calendar_router
from luoshi_tasking.changes.routes import router as changes_router
from luoshi_tasking.config import TaskingSettings
from luoshi_tasking.db import TABLES
from luoshi_tasking.deadlines.jobs import run_deadline_scans
from luoshi_tasking.deadlines.routes import router as deadlines_router
from luoshi_tasking.documents.jobs import run_document_scans
from luoshi_tasking.documents.routes import router as documents_router
from luoshi_tasking.ledger.routes import router as ledger_router
from luoshi_tasking.orgs.handlers import HANDLERS as ORG_HANDLERS
from luoshi_tasking.orgs.service import org_replica
from luoshi_tasking.plans.routes import router as plans_router
from luoshi_tasking.reports.routes import router as reports_router
from luoshi_tasking.spreadsheets.routes import IMPORT_PATH
from luoshi_tasking.spreadsheets.routes import router as spreadsheets_router
from luoshi_tasking.supervision_trace.handlers import HANDLERS as SUPERVISION_TRACE_HANDLERS
from luoshi_tasking.tasks.creating import TaskCreateRoute
from luoshi_tasking.tasks.listing import TaskListRoute
from luoshi_tasking.tasks.routes import router as tasks_router

SPEC = ServiceSpec(
    name="tasking",
    title="Luoshi 任务服务 (tasking)",
    tables=TABLES,
    # Routers with fixed paths (e.g. /api/v1/tasks/import) come before the tasks router's /{task_id}.
    routers=[
        spreadsheets_router,
        calendar_router,
        deadlines_router,
        documents_router,
        plans_router,
        ledger_router,
        reports_router,
        changes_router,
        tasks_router,
    ],
    handlers=ORG_HANDLERS.merge(SUPERVISION_TRACE_HANDLERS),
    background=[run_deadline_scans, run_document_scans],
    upload_paths=[IMPORT_PATH],
    readiness=[org_replica],
)


def create_app(settings: TaskingSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    app = create_service_app(SPEC, settings or TaskingSettings(), bus=bus)
    install(app, TaskCreateRoute(), TaskListRoute())  # tasks/creating.py, tasks/listing.py
    return app
