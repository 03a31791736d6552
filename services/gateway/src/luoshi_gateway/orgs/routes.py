from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from luoshi_gateway.auth.deps import UserDep
from luoshi_gateway.orgs import service
from luoshi_gateway.orgs.schemas import OrgOut
from luoshi_kit.deps import SessionDep

router = APIRouter(prefix="/api/v1/orgs", tags=["orgs 组织机构"])


@router.get("", response_model=list[OrgOut], summary="按名称查找单位 Search organisations by name")
async def search_orgs(
    session: SessionDep,
    user: UserDep,
    name: Annotated[str, Query(min_length=1, max_length=50)],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[OrgOut]:
    rows = await service.search(session=session, identity=user, name=name, limit=limit)
    return [OrgOut.model_validate(r) for r in rows]


@router.get("/{code}", response_model=OrgOut, summary="单位 An organisation")
async def get_org(code: str, session: SessionDep, user: UserDep) -> OrgOut:
    return OrgOut.model_validate(await service.get_visible_org(session=session, identity=user, code=code))


@router.get("/{code}/children", response_model=list[OrgOut], summary="下级单位 Child organisations")
async def get_children(code: str, session: SessionDep, user: UserDep) -> list[OrgOut]:
    rows = await service.children(session=session, identity=user, code=code)
    return [OrgOut.model_validate(r) for r in rows]
