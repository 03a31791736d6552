"""Cross-service views answered from the gateway's read models. Keyword-only, never commit."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.orgs.models import Org
from luoshi_gateway.orgs.service import get_visible_org
from luoshi_gateway.views import summaries
from luoshi_gateway.views.schemas import ChildFigures, Dashboard
from luoshi_gateway.views.scoring_handlers import with_published_standings
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


def _child_figures(child: Org, figures: Counter[str]) -> ChildFigures:
    closed, on_time = figures["closed"], figures["closed_on_time"]
    return ChildFigures(
        org_code=child.code,
        name=child.name,
        tasks=figures["tasks"],
        closed=closed,
        closed_on_time=on_time,
        on_time_rate=round(on_time / closed, 4) if closed else None,
        overdue=figures["overdue"],
        lagging=figures["lagging"],
        by_colour=_prefixed(figures, "colour:"),
    )


def _prefixed(figures: Counter[str], prefix: str) -> dict[str, int]:
    return {k.removeprefix(prefix): v for k, v in sorted(figures.items()) if k.startswith(prefix) and v}


async def dashboard(*, session: AsyncSession, identity: Identity, org_code: str) -> Dashboard:
    """Answered from the per-organisation summaries (views/summaries.py): two indexed reads at any size."""
    org = await get_visible_org(session=session, identity=identity, code=org_code)
    children = (
        await session.scalars(select(Org).where(Org.parent_code == org_code, Org.active).order_by(Org.code))
    ).all()
    figures = await summaries.figures_of(session=session, org_codes=[org.code, *(c.code for c in children)])
    own = figures[org.code]
    rows = [_child_figures(child, figures[child.code]) for child in children]
    await with_published_standings(session=session, children=rows)
    return Dashboard(
        org_code=org.code,
        name=org.name,
        by_state=_prefixed(own, "state:"),
        by_colour=_prefixed(own, "colour:"),
        overdue=own["overdue"],
        lagging=own["lagging"],
        children=rows,
    )
