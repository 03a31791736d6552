"""Each unit's inspection load (督查频次, 减轻基层负担) and the representatives' yearly check
(两代表一委员)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_kit.identity import Identity
from luoshi_kit.permissions import require_roles
from luoshi_kit.scope import require_in_scope
from luoshi_kit.timebase import business_today
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_supervision.burden import service
from luoshi_supervision.burden.representatives import RepresentativesStatus, representatives_status
from luoshi_supervision.config import SupervisionSettings

router = APIRouter(tags=["burden 督查频次与减负"])
Reader = Annotated[
    Identity,
    Depends(
        require_roles(
            "principal", "deputy", "office", "admin", detail="督查室和负责同志可查看 office or leaders"
        )
    ),
]
Org = Annotated[str | None, Query(pattern=CODE_PATTERN, description="单位 (默认本单位)")]
Year = Annotated[int | None, Query(ge=2000, le=2100, description="年度 (默认今年)")]


class UnitLoad(BaseModel):
    org_code: str
    routine: int
    by_kind: dict[str, int]
    cap: int
    frequency_raised_until: date | None
    routine_interval_days: int
    next_routine_due: date | None
    exempt: bool


@router.get(
    "/api/v1/inspection-load", response_model=list[UnitLoad], summary="各单位督查频次 Inspection load"
)
async def inspection_load(
    request: Request, session: SessionDep, identity: Reader, org: Org = None, year: Year = None
) -> list[UnitLoad]:
    scope = org or identity.org_code
    require_in_scope(identity, scope)
    today = business_today()
    settings: SupervisionSettings = request.app.state.settings
    rows = await service.unit_load(
        session=session, org=scope, year=year or today.year, today=today, settings=settings
    )
    return [UnitLoad.model_validate(r) for r in rows]


@router.get(
    "/api/v1/representatives-inspections",
    response_model=RepresentativesStatus,
    summary="两代表一委员现场督查次数 Representatives' inspections this year",
)
async def representatives(
    request: Request, session: SessionDep, identity: IdentityDep, org: Org = None, year: Year = None
) -> RepresentativesStatus:
    scope = org or identity.org_code
    require_in_scope(identity, scope)
    settings: SupervisionSettings = request.app.state.settings
    return await representatives_status(
        session=session, org=scope, year=year, today=business_today(), settings=settings
    )
