"""The supervision dashboard (督查看板): listed items (挂牌督办) and open rectification items in a subtree,
per child organisation, and the representatives' yearly check (两代表一委员: a government with none by
``LUOSHI_REPRESENTATIVES_DUE`` is flagged)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy import func, select

from luoshi_gateway.auth.deps import UserDep
from luoshi_gateway.orgs.models import Org
from luoshi_gateway.orgs.service import get_visible_org
from luoshi_gateway.views.supervision_models import RectificationView, RepresentativesInspection
from luoshi_kit.deps import SessionDep
from luoshi_kit.orgtree import within_subtree
from luoshi_kit.timebase import business_today

router = APIRouter(tags=["views 综合视图"])
LISTED_LIMIT = 100


class ListedItem(BaseModel):
    rectification_id: str
    title: str
    responsible_unit: str
    deadline: date
    overdue: bool
    reason: str | None


class UnitFigures(BaseModel):
    org_code: str
    name: str
    open_rectifications: int
    listed: int
    overdue: int
    representatives_inspections: int | None  # governments only
    representatives_flagged: bool


class SupervisionDashboard(BaseModel):
    org_code: str
    name: str
    year: int
    representatives_due_on: date
    own: UnitFigures
    children: list[UnitFigures]
    listed_items: list[ListedItem]


def representatives_due(year: int, month_day: str) -> date:
    month, day = (int(p) for p in month_day.split("-"))
    return date(year, month, day)


async def _figures(session: SessionDep, org: Org, today: date, due: date) -> UnitFigures:
    rows = (
        await session.execute(
            select(RectificationView.listed, RectificationView.overdue, RectificationView.deadline).where(
                within_subtree(RectificationView.responsible_unit, org.code),
                RectificationView.state == "open",
            )
        )
    ).all()
    government = org.kind == "government"
    count = (
        int(
            await session.scalar(
                select(func.count()).where(
                    RepresentativesInspection.org_code == org.code,
                    RepresentativesInspection.year == today.year,
                )
            )
            or 0
        )
        if government
        else None
    )
    return UnitFigures(
        org_code=org.code,
        name=org.name,
        open_rectifications=len(rows),
        listed=sum(1 for r in rows if r.listed),
        overdue=sum(1 for r in rows if r.overdue or r.deadline < today),
        representatives_inspections=count,
        representatives_flagged=government and count == 0 and today > due,
    )


@router.get(
    "/api/v1/dashboard/supervision",
    response_model=SupervisionDashboard,
    summary="督查看板: 挂牌督办与整改 Listed supervision and open rectification of a subtree",
)
async def supervision_dashboard(
    request: Request,
    session: SessionDep,
    user: UserDep,
    org: Annotated[str | None, Query(max_length=15)] = None,
) -> SupervisionDashboard:
    the_org = await get_visible_org(session=session, identity=user, code=org or user.org_code)
    today = business_today()
    due = representatives_due(today.year, request.app.state.settings.representatives_due)
    children = (
        await session.scalars(
            select(Org).where(Org.parent_code == the_org.code, Org.active).order_by(Org.code)
        )
    ).all()
    listed = (
        await session.scalars(
            select(RectificationView)
            .where(
                within_subtree(RectificationView.responsible_unit, the_org.code),
                RectificationView.state == "open",
                RectificationView.listed,
            )
            .order_by(RectificationView.deadline, RectificationView.rectification_id)
            .limit(LISTED_LIMIT)
        )
    ).all()
    return SupervisionDashboard(
        org_code=the_org.code,
        name=the_org.name,
        year=today.year,
        representatives_due_on=due,
        own=await _figures(session, the_org, today, due),
        children=[await _figures(session, child, today, due) for child in children],
        listed_items=[
            ListedItem(
                rectification_id=r.rectification_id,
                title=r.title,
                responsible_unit=r.responsible_unit,
                deadline=r.deadline,
                overdue=r.overdue or r.deadline < today,
                reason=r.listed_reason,
            )
            for r in listed
        ],
    )
