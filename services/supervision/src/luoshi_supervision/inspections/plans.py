"""Annual inspection plans (年度督查计划): a government's routine inspections for a period."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.errors import not_found
from luoshi_kit.identity import Identity
from luoshi_kit.orgtree import within_subtree
from luoshi_kit.scope import require_in_scope
from luoshi_supervision.inspections.models import InspectionPlan
from luoshi_supervision.inspections.schemas import PlanCreate


async def create_plan(*, session: AsyncSession, identity: Identity, data: PlanCreate) -> InspectionPlan:
    plan = InspectionPlan(
        id=str(uuid.uuid4()),
        org_code=identity.org_code,
        year=data.year,
        title=data.title,
        period_start=data.period_start,
        period_end=data.period_end,
        notes=data.notes,
        created_by=identity.person_id,
    )
    session.add(plan)
    await session.flush()
    return plan


async def list_plans(
    *, session: AsyncSession, identity: Identity, org: str | None, year: int | None
) -> list[InspectionPlan]:
    scope = org or identity.org_code
    require_in_scope(identity, scope)
    query = select(InspectionPlan).where(within_subtree(InspectionPlan.org_code, scope))
    if year is not None:
        query = query.where(InspectionPlan.year == year)
    return list(
        (
            await session.scalars(query.order_by(InspectionPlan.year.desc(), InspectionPlan.id).limit(200))
        ).all()
    )


async def get_plan(*, session: AsyncSession, identity: Identity, plan_id: str) -> InspectionPlan:
    plan = await session.get(InspectionPlan, plan_id) if len(plan_id) <= 36 else None
    if plan is None or not identity.can_see(plan.org_code):
        raise not_found("年度督查计划 Inspection plan")
    return plan
