from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from luoshi_gateway.audit.service import deny, record
from luoshi_gateway.auth.deps import UserDep
from luoshi_gateway.orgs import service
from luoshi_gateway.orgs.schemas import OrgCreate, OrgOut, OrgPage, OrgPatch
from luoshi_kit.deps import SessionDep
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.paging import PageDep

router = APIRouter(prefix="/api/v1/orgs", tags=["orgs 组织机构"])


@router.get("", response_model=OrgPage, summary="按名称查找单位 Search organisations by name")
async def search_orgs(
    session: SessionDep,
    user: UserDep,
    name: Annotated[str, Query(min_length=1, max_length=50)],
    page: PageDep,
) -> OrgPage:
    rows, total, estimated = await service.search(session=session, identity=user, name=name, page=page)
    return OrgPage.of([OrgOut.model_validate(r) for r in rows], total, page, estimated=estimated)


@router.get("/{code}", response_model=OrgOut, summary="单位 An organisation")
async def get_org(code: str, session: SessionDep, user: UserDep) -> OrgOut:
    return OrgOut.model_validate(await service.get_visible_org(session=session, identity=user, code=code))


@router.get("/{code}/children", response_model=OrgPage, summary="下级单位 Child organisations")
async def get_children(code: str, session: SessionDep, user: UserDep, page: PageDep) -> OrgPage:
    rows, total, estimated = await service.children(session=session, identity=user, code=code, page=page)
    return OrgPage.of([OrgOut.model_validate(r) for r in rows], total, page, estimated=estimated)


_ADMINS_ONLY = "仅本级及上级管理员可管理组织机构 Only administrators manage organisations"


def manages_orgs(identity: Identity, code: str) -> bool:
    """管理组织机构: an administrator, within their own organisation's subtree."""
    return identity.has_any("admin") and identity.can_see(code)


@router.post("", response_model=OrgOut, status_code=201, summary="新设单位 Create an organisation")
async def create_org(request: Request, body: OrgCreate, session: SessionDep, user: UserDep) -> OrgOut:
    async with session.begin():
        parent = await service.get_visible_org(session=session, identity=user, code=body.parent_code)
        if not manages_orgs(user, parent.code):
            raise await deny(
                request=request,
                actor=user,
                action="org.create",
                target_type="org",
                target_id=body.code,
                target_org=parent.code,
                detail=_ADMINS_ONLY,
            )
        org = await service.create_org(session=session, parent=parent, data=body)
        record(
            session=session,
            request=request,
            action="org.create",
            actor=user,
            target_type="org",
            target_id=org.code,
            target_org=org.code,
            details=body.model_dump(mode="json") | {"code": org.code},
        )
    return OrgOut.model_validate(org)


@router.patch("/{code}", response_model=OrgOut, summary="修改单位 Rename or deactivate an organisation")
async def update_org(
    code: str, body: OrgPatch, request: Request, session: SessionDep, user: UserDep
) -> OrgOut:
    async with session.begin():
        org = await service.get_visible_org(session=session, identity=user, code=code)
        if not manages_orgs(user, org.code):
            raise await deny(
                request=request,
                actor=user,
                action="org.update",
                target_type="org",
                target_id=org.code,
                target_org=org.code,
                detail=_ADMINS_ONLY,
            )
        if org.code == user.org_code and body.active is False:
            raise Problem(409, "self-lockout", "不能停用本人所在单位 Cannot deactivate your own organisation")
        diff = await service.update_org(session=session, org=org, data=body)
        if diff:
            record(
                session=session,
                request=request,
                action="org.update",
                actor=user,
                target_type="org",
                target_id=org.code,
                target_org=org.code,
                details=diff,
            )
    return OrgOut.model_validate(org)
