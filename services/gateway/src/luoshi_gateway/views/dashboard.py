"""A subtree's dashboard as the JSON of ``schemas.Dashboard``, read in one statement without a transaction.

The organisation, its active children, each one's figures (views/summaries.py) and each child's published
standing come back as one row per organisation, its figures aggregated into a JSON object by the database.
This used to take four statements inside a transaction (six round trips), an ORM object per child and a
``ChildFigures`` each, then FastAPI validated and serialised the whole ``Dashboard`` again: 6 ms of the
gateway's CPU per call at a county of 34 children (bench/dashboard_http.py). The body is built once from
plain values with pydantic's own serialiser, so it reads byte for byte as the model wrote it (a test
compares the two).

``DashboardRoute`` answers the everyday request — no query, or only ``org`` given once as plain letters and
digits — ahead of FastAPI's routing and dependency solving, which had become most of what was left (FastAPI
tried some 60 routes before this one, then solved five dependencies). Any other request goes on to the
declared route (``routes.dashboard``), which stays the contract: its OpenAPI, its validation, its errors.
Both answer through ``dashboard_body``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from fastapi import Request, Response
from pydantic_core import to_json
from sqlalchemy import BindParameter, Select, Text, bindparam, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Scope

from luoshi_gateway.auth.deps import authenticate, bearer_of
from luoshi_gateway.orgs.models import Org
from luoshi_gateway.orgs.service import org_not_found
from luoshi_gateway.views.models import OrgSummary
from luoshi_gateway.views.scoring_models import PublishedStanding
from luoshi_kit.db import autocommit
from luoshi_kit.fast_routes import EVERYDAY, EverydayRoute
from luoshi_kit.identity import Identity

PATH = "/api/v1/dashboard"
_EVERYDAY = re.compile(rb"(?:org=([0-9A-Za-z]{0,15}))?")


@cache  # built once per dialect: composing and hashing a statement costs more than a small read
def dashboard_rows(dialect: str) -> Select[Any]:
    """The organisation ``:code`` and its active children: code, name, published standing and figures
    (a JSON object of metric -> value, NULL for none)."""
    aggregate = func.json_object_agg if dialect == "postgresql" else func.json_group_object
    figures = (
        select(cast(aggregate(OrgSummary.metric, OrgSummary.value), Text))
        .where(OrgSummary.org_code == Org.code)
        .correlate(Org)
        .scalar_subquery()
    )
    code: BindParameter[str] = bindparam("code")
    return (
        select(
            Org.code,
            Org.name,
            PublishedStanding.points,
            PublishedStanding.rank,
            PublishedStanding.period,
            figures.label("figures"),
        )
        .outerjoin(PublishedStanding, PublishedStanding.org_code == Org.code)
        .where(or_(Org.code == code, (Org.parent_code == code) & Org.active))
        .order_by(Org.code)
    )


def _prefixed(figures: dict[str, int], prefix: str) -> dict[str, int]:
    return {k.removeprefix(prefix): v for k, v in sorted(figures.items()) if k.startswith(prefix) and v}


def _child(row: Any, figures: dict[str, int]) -> dict[str, Any]:
    """A ``ChildFigures``, its fields in the model's order."""
    closed, on_time = figures.get("closed", 0), figures.get("closed_on_time", 0)
    return {
        "org_code": row.code,
        "name": row.name,
        "tasks": figures.get("tasks", 0),
        "closed": closed,
        "closed_on_time": on_time,
        "on_time_rate": round(on_time / closed, 4) if closed else None,
        "overdue": figures.get("overdue", 0),
        "lagging": figures.get("lagging", 0),
        "by_colour": _prefixed(figures, "colour:"),
        "points": row.points,
        "rank": row.rank,
        "ranking_period": row.period,
    }


async def dashboard_document(*, session: AsyncSession, identity: Identity, org_code: str) -> dict[str, Any]:
    """``Dashboard``'s fields for ``org_code`` as plain values, in the model's order (404 unless the
    organisation exists within ``identity``'s subtree)."""
    if not identity.can_see(org_code):
        raise org_not_found()
    statement = dashboard_rows(session.get_bind().dialect.name)
    own, children = None, []
    for row in await session.execute(statement, {"code": org_code}):
        figures: dict[str, int] = json.loads(row.figures) if row.figures else {}
        if row.code == org_code:
            own = (row, figures)
        else:
            children.append(_child(row, figures))
    if own is None:
        raise org_not_found()
    org, figures = own
    return {
        "org_code": org.code,
        "name": org.name,
        "by_state": _prefixed(figures, "state:"),
        "by_colour": _prefixed(figures, "colour:"),
        "overdue": figures.get("overdue", 0),
        "lagging": figures.get("lagging", 0),
        "children": children,
    }


async def dashboard_body(*, session: AsyncSession, identity: Identity, org_code: str) -> bytes:
    """The JSON of ``Dashboard`` for ``org_code``, as the route answers it: the session's only statement,
    outside a transaction (no BEGIN and ROLLBACK round trips)."""
    await autocommit(session)
    return to_json(await dashboard_document(session=session, identity=identity, org_code=org_code))


def everyday_org(query_string: bytes) -> str | None:
    """The ``org`` of an everyday query ("" when it is absent or empty: the caller's own organisation, as
    the declared route reads it); None for any other query."""
    match = _EVERYDAY.fullmatch(query_string)
    if match is None:
        return None
    return (match.group(1) or b"").decode("ascii")


async def _everyday_dashboard(request: Request) -> Response:
    caller = await authenticate(request, bearer_of(request.scope))
    identity = caller.identity
    async with request.app.state.sessionmaker() as session:
        body = await dashboard_body(
            session=session, identity=identity, org_code=request.scope[EVERYDAY]["org"] or identity.org_code
        )
    return Response(body, media_type="application/json")


class DashboardRoute(EverydayRoute):
    """``GET /api/v1/dashboard`` with an everyday query (see the module's docstring)."""

    def __init__(self) -> None:
        super().__init__("GET", PATH, _everyday_dashboard)

    def everyday(self, scope: Scope) -> dict[str, Any] | None:
        org = everyday_org(scope["query_string"])
        return None if org is None else {"org": org}
