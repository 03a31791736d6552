"""Exemptions in force (免督查), as supervision knows them from scoring's events."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_supervision.exemptions import service

router = APIRouter(tags=["exemptions 免督查"])


class ExemptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    org_code: str
    starts_on: date
    ends_on: date
    basis: str
    ended_at: datetime | None


@router.get("/api/v1/exemptions", response_model=list[ExemptionOut], summary="免督查单位 Exemptions")
async def list_exemptions(
    session: SessionDep, identity: IdentityDep, on: date | None = None
) -> list[ExemptionOut]:
    rows = await service.list_exemptions(session=session, identity=identity, day=on)
    return [ExemptionOut.model_validate(r) for r in rows]
