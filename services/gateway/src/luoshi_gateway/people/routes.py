"""People (人员): administrators manage the people of their subtree; the office reads them.

Thin: parse, call ``people.service`` (permission, audit, hashing, session revocation), commit, return.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from luoshi_gateway.auth.deps import UserDep, forget_person
from luoshi_gateway.people import service
from luoshi_gateway.people.schemas import (
    OrgCode,
    PasswordChange,
    PersonCreate,
    PersonOut,
    PersonPage,
    PersonPatch,
)
from luoshi_kit.deps import SessionDep
from luoshi_kit.paging import PageDep

router = APIRouter(prefix="/api/v1/people", tags=["people 人员"])


def _out(person: object) -> PersonOut:
    return PersonOut.model_validate(person)


@router.post("", response_model=PersonOut, status_code=201, summary="新增人员 Create a person")
async def create_person(
    request: Request, body: PersonCreate, session: SessionDep, user: UserDep
) -> PersonOut:
    async with session.begin():
        person = await service.add_person(session=session, request=request, actor=user, data=body)
    return _out(person)


@router.get("", response_model=PersonPage, summary="人员列表 People of an organisation")
async def list_people(
    request: Request,
    session: SessionDep,
    user: UserDep,
    page: PageDep,
    org: Annotated[OrgCode | None, Query(description="单位代码, 默认本单位")] = None,
    subtree: Annotated[bool, Query(description="含下级单位 Include the subtree")] = False,
) -> PersonPage:
    rows, total, estimated = await service.visible_people(
        session=session, request=request, actor=user, org=org, subtree=subtree, page=page
    )
    return PersonPage.of([_out(p) for p in rows], total, page, estimated=estimated)


@router.get("/{person_id}", response_model=PersonOut, summary="人员 A person")
async def get_person(person_id: str, request: Request, session: SessionDep, user: UserDep) -> PersonOut:
    return _out(await service.read_person(session=session, request=request, actor=user, person_id=person_id))


@router.patch("/{person_id}", response_model=PersonOut, summary="修改人员 Change a person")
async def update_person(
    person_id: str, body: PersonPatch, request: Request, session: SessionDep, user: UserDep
) -> PersonOut:
    async with session.begin():
        person = await service.change_person(
            session=session, request=request, actor=user, person_id=person_id, patch=body
        )
    forget_person(request, person.id)
    return _out(person)


@router.post("/{person_id}/password", status_code=204, summary="设置密码 Set or change a password")
async def set_password(
    person_id: str, body: PasswordChange, request: Request, session: SessionDep, user: UserDep
) -> Response:
    async with session.begin():
        person = await service.get_person(session=session, identity=user, person_id=person_id)
    new_hash = await service.check_password_change(request=request, actor=user, person=person, data=body)
    async with session.begin():
        await service.change_password(
            session=session, request=request, actor=user, person_id=person_id, password_hash=new_hash
        )
    forget_person(request, person_id)
    return Response(status_code=204)
