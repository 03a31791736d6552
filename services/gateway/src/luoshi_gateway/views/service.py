"""Cross-service views answered from the gateway's read models. Keyword-only, never commit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.views.dashboard import dashboard_document
from luoshi_gateway.views.schemas import Dashboard
from luoshi_gateway.views.timeline_document import timeline_document
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity


def _may_see(identity: Identity, lead_unit: str, issuing_org: str, co_units: list[str]) -> bool:
    return any(identity.can_see(unit) for unit in (lead_unit, issuing_org, *co_units))


async def timeline(*, session: AsyncSession, identity: Identity, task_id: str) -> bytes:
    """The task's whole timeline as the JSON of ``Timeline``, the database building it in one query
    (views/timeline_document.py)."""
    query = timeline_document(session.get_bind().dialect.name)
    row = (await session.execute(query, {"task_id": task_id})).one_or_none()
    if row is None or not _may_see(identity, row.lead_unit, row.issuing_org, row.co_units):
        raise Problem(404, "not-found", "任务不存在 Task not found")
    document: str = row.document
    return document.encode()


async def dashboard(*, session: AsyncSession, identity: Identity, org_code: str) -> Dashboard:
    """The dashboard as a model, read in the caller's transaction (a bulletin's facts); the route answers
    ``views/dashboard.py``'s body directly."""
    return Dashboard.model_validate(
        await dashboard_document(session=session, identity=identity, org_code=org_code)
    )
