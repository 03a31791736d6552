"""The dashboard answers from one statement without a model per child (``views.dashboard.dashboard_body``),
its everyday request ahead of FastAPI (``views.dashboard.DashboardRoute``): either way its body must be the
very bytes the models gave (the organisation, its active children, their figures and published standings, read
the way the service read them before), on PostgreSQL and SQLite, and what it refuses it refuses alike."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
from fastapi import FastAPI
from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luoshi_gateway.db import TABLES
from luoshi_gateway.orgs.models import Org
from luoshi_gateway.orgs.service import get_visible_org
from luoshi_gateway.views import service, summaries
from luoshi_gateway.views.dashboard import DashboardRoute, dashboard_body, everyday_org
from luoshi_gateway.views.schemas import ChildFigures, Dashboard
from luoshi_gateway.views.scoring_models import PublishedStanding
from luoshi_kit.db import make_engine, make_sessionmaker
from luoshi_kit.identity import Identity

from .conftest import CITY, COUNTY, PROVINCE, SIBLING, headers_of

Service = tuple[FastAPI, httpx.AsyncClient]
DEPARTMENT, CLOSED_COUNTY, TOWNSHIP = "520100000000D01", "520103000000", "520102001000"
OFFICE = Identity(
    person_id="u-office", username="office", display_name="o", org_code=PROVINCE, roles=["office"]
)
TREE = [  # code, name, kind, level, parent, active
    (PROVINCE, "贵州省人民政府", "government", "province", None, True),
    (CITY, "贵阳市人民政府", "government", "city", PROVINCE, True),
    (COUNTY, "南明区人民政府", "government", "county", CITY, True),
    (SIBLING, "六盘水市人民政府", "government", "city", PROVINCE, True),
    (DEPARTMENT, "贵阳市发展和改革委员会", "department", "city", CITY, True),
    (CLOSED_COUNTY, '云岩区人民政府 "旧"', "government", "county", CITY, False),
    (TOWNSHIP, "遵义路街道", "government", "township", COUNTY, True),
]


async def add_figures(session: AsyncSession, *, with_tree: bool) -> None:
    """Figures for some organisations (none for the sibling city, the township nor the department), a
    zero left behind, standings for two children (one a float pydantic writes with 17 digits)."""
    for code, name, kind, level, parent, active in TREE if with_tree else TREE[4:]:  # or the fixture's
        org = Org(
            code=code, name=name, kind=kind, level=level, parent_code=parent, synthetic=False, active=active
        )
        session.add(org)
    changes: dict[tuple[str, str], int] = {}
    for unit, figures in (
        (COUNTY, {"tasks": 5, "state:accepted": 2, "state:closed": 3, "closed": 3, "closed_on_time": 2}),
        (COUNTY, {"colour:red": 1, "colour:green": 1, "colour:yellow": 0, "overdue": 1, "lagging": 0}),
        (CLOSED_COUNTY, {"tasks": 1, "state:assigned": 1, "colour:green": 1}),
        (CITY, {"tasks": 2, "state:cancelled": 1, "state:assigned": 1, "colour:yellow": 1, "lagging": 1}),
    ):
        for scope in summaries.summary_scopes(unit):
            for metric, value in figures.items():
                changes[(scope, metric)] = changes.get((scope, metric), 0) + value
    await summaries.apply(session=session, changes=changes)
    at = datetime(2026, 10, 8, tzinfo=UTC)
    for code, points, rank in ((COUNTY, 0.1 + 0.2, 2), (SIBLING, 88.0, 1), (PROVINCE, 1.0, 1)):
        session.add(
            PublishedStanding(
                org_code=code,
                ranking_id=f"r-{code}",
                scope_org=PROVINCE,
                tier="city",
                period="2026Q3",
                points=points,
                rank=rank,
                published_at=at,
            )
        )


def _prefixed(figures: dict[str, int], prefix: str) -> dict[str, int]:
    return {k.removeprefix(prefix): v for k, v in sorted(figures.items()) if k.startswith(prefix) and v}


async def models_body(maker: async_sessionmaker[AsyncSession], identity: Identity, code: str) -> bytes:
    """What the dashboard answered when it read through the ORM into a ``ChildFigures`` per child and
    FastAPI dumped the ``Dashboard`` (the response model's own dump)."""
    async with maker() as session:
        org = await get_visible_org(session=session, identity=identity, code=code)
        query = select(Org).where(Org.parent_code == code, Org.active).order_by(Org.code)
        children = (await session.scalars(query)).all()
        figures = await summaries.figures_of(
            session=session, org_codes=[org.code, *(c.code for c in children)]
        )
        standings = {s.org_code: s for s in (await session.scalars(select(PublishedStanding))).all()}
    rows = []
    for child in children:
        own = figures[child.code]
        closed, on_time = own["closed"], own["closed_on_time"]
        row = ChildFigures(
            org_code=child.code,
            name=child.name,
            tasks=own["tasks"],
            closed=closed,
            closed_on_time=on_time,
            on_time_rate=round(on_time / closed, 4) if closed else None,
            overdue=own["overdue"],
            lagging=own["lagging"],
            by_colour=_prefixed(own, "colour:"),
        )
        if (standing := standings.get(child.code)) is not None:
            row.points, row.rank, row.ranking_period = standing.points, standing.rank, standing.period
        rows.append(row)
    own = figures[org.code]
    board = Dashboard(
        org_code=org.code,
        name=org.name,
        by_state=_prefixed(own, "state:"),
        by_colour=_prefixed(own, "colour:"),
        overdue=own["overdue"],
        lagging=own["lagging"],
        children=rows,
    )
    return TypeAdapter(Dashboard).dump_json(board)


async def test_the_dashboard_body_is_the_models_own(gateway: Service) -> None:
    app, client = gateway
    async with app.state.sessionmaker() as session, session.begin():
        await add_figures(session, with_tree=False)
    headers = await headers_of(client, "office")
    assert any(isinstance(route, DashboardRoute) for route in app.router.routes[:3])  # ahead of FastAPI's
    everyday = {  # query -> the organisation answered
        "": PROVINCE,
        "org=": PROVINCE,
        f"org={PROVINCE}": PROVINCE,
        f"org={CITY}": CITY,
        f"org={COUNTY}": COUNTY,
        f"org={TOWNSHIP}": TOWNSHIP,
    }
    declared = {
        f"org={CITY}&page=2": CITY,
        f"org=%35{COUNTY[1:]}": COUNTY,
        f"org={CITY}&org={COUNTY}": COUNTY,
    }
    for query, code in (everyday | declared).items():
        response = await client.get(f"/api/v1/dashboard?{query}", headers=headers)
        assert response.status_code == 200, (query, response.text)
        assert (everyday_org(query.encode()) is not None) == (query in everyday), query
        assert response.headers["content-type"] == "application/json"
        assert response.json()["org_code"] == code, query
        assert response.content == await models_body(app.state.sessionmaker, OFFICE, code), query
    city = (await client.get("/api/v1/dashboard", params={"org": CITY}, headers=headers)).json()
    assert [c["org_code"] for c in city["children"]] == [DEPARTMENT, COUNTY]  # not the deactivated county
    assert city["children"][1]["points"] == 0.1 + 0.2 and city["children"][1]["on_time_rate"] == 0.6667


async def test_the_everyday_route_refuses_as_the_declared_one(gateway: Service) -> None:
    _, client = gateway
    sibling = await headers_of(client, "sibling_admin")
    cases = [
        ({}, f"org={CITY}", 401),  # no token
        ({"Authorization": "Bearer nonsense"}, f"org={CITY}", 401),
        (sibling, f"org={CITY}", 404),  # outside the caller's subtree
        (sibling, "org=520299000000", 404),  # within it, but no such organisation
        (sibling, "org=52029900000X", 404),
    ]
    for headers, query, status in cases:
        assert everyday_org(query.encode()) is not None
        fast = await client.get(f"/api/v1/dashboard?{query}", headers=headers)
        slow = await client.get(f"/api/v1/dashboard?{query}&x=1", headers=headers)
        assert fast.status_code == slow.status_code == status, (query, fast.text, slow.text)
        assert fast.content == slow.content and fast.headers["content-type"] == slow.headers["content-type"]
    assert (await client.get(f"/api/v1/dashboard?org={SIBLING}", headers=sibling)).status_code == 200
    too_long = await client.get(f"/api/v1/dashboard?org={CITY}D0001", headers=sibling)
    assert everyday_org(f"org={CITY}D0001".encode()) is None and too_long.status_code == 422


async def test_the_body_is_the_models_own_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/gateway.db")
    async with engine.begin() as conn:
        await conn.run_sync(TABLES.base.metadata.create_all)
    maker = make_sessionmaker(engine, TABLES)
    async with maker() as session, session.begin():
        await add_figures(session, with_tree=True)
    try:
        for code in (PROVINCE, CITY, COUNTY, TOWNSHIP, SIBLING, CLOSED_COUNTY):
            expected = await models_body(maker, OFFICE, code)
            async with maker() as session:
                assert await dashboard_body(session=session, identity=OFFICE, org_code=code) == expected, code
            async with maker() as session, session.begin():  # a bulletin reads the model in its transaction
                board = await service.dashboard(session=session, identity=OFFICE, org_code=code)
            assert TypeAdapter(Dashboard).dump_json(board) == expected, code
    finally:
        await engine.dispose()
