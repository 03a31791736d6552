"""People (人员): administrators manage the people of their subtree; the office reads them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from luoshi_gateway.audit.service import deny, record, record_alone
from luoshi_gateway.auth.deps import UserDep, forget_person
from luoshi_gateway.auth.passwords import hash_password, verify_password
from luoshi_gateway.auth.sessions import revoke_person
from luoshi_gateway.orgs.service import org_not_found
from luoshi_gateway.people import service
from luoshi_gateway.people.rules import manages_people, reads_people
from luoshi_gateway.people.schemas import (
    OrgCode,
    PasswordChange,
    PersonCreate,
    PersonOut,
    PersonPage,
    PersonPatch,
)
from luoshi_kit.deps import SessionDep
from luoshi_kit.errors import Problem
from luoshi_kit.paging import PageDep

router = APIRouter(prefix="/api/v1/people", tags=["people 人员"])


def _out(person: object) -> PersonOut:
    return PersonOut.model_validate(person)


@router.post("", response_model=PersonOut, status_code=201, summary="新增人员 Create a person")
async def create_person(
    request: Request, body: PersonCreate, session: SessionDep, user: UserDep
) -> PersonOut:
    if not user.can_see(body.org_code):
        raise org_not_found()
    if not manages_people(user, body.org_code):
        raise await deny(
            request=request,
            actor=user,
            action="person.create",
            target_org=body.org_code,
            detail="仅本级及上级管理员可管理人员 Only administrators manage people",
        )
    password_hash = await asyncio.to_thread(hash_password, body.password) if body.password else None
    async with session.begin():
        person = await service.create_person(session=session, data=body, password_hash=password_hash)
        record(
            session=session,
            request=request,
            action="person.create",
            actor=user,
            target_type="person",
            target_id=person.id,
            target_org=person.org_code,
            details=body.model_dump(mode="json", exclude={"password"})
            | {"password_set": bool(body.password)},
        )
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
    code = org or user.org_code
    if not user.can_see(code):
        raise org_not_found()
    if not reads_people(user, code):
        raise await deny(
            request=request,
            actor=user,
            action="person.list",
            target_type="org",
            target_id=code,
            target_org=code,
            detail="仅管理员和督查室可查看人员 Only administrators and the office read people",
        )
    rows, total, estimated = await service.list_people(
        session=session, org_code=code, subtree=subtree, page=page
    )
    return PersonPage.of([_out(p) for p in rows], total, page, estimated=estimated)


@router.get("/{person_id}", response_model=PersonOut, summary="人员 A person")
async def get_person(person_id: str, request: Request, session: SessionDep, user: UserDep) -> PersonOut:
    person = await service.get_person(session=session, identity=user, person_id=person_id)
    if person.id != user.person_id and not reads_people(user, person.org_code):
        raise await deny(
            request=request,
            actor=user,
            action="person.read",
            target_type="person",
            target_id=person.id,
            target_org=person.org_code,
            detail="仅管理员和督查室可查看人员 Only administrators and the office read people",
        )
    return _out(person)


@router.patch("/{person_id}", response_model=PersonOut, summary="修改人员 Change a person")
async def update_person(
    person_id: str, body: PersonPatch, request: Request, session: SessionDep, user: UserDep
) -> PersonOut:
    async with session.begin():
        person = await service.get_person(session=session, identity=user, person_id=person_id)
        if not manages_people(user, person.org_code):
            raise await deny(
                request=request,
                actor=user,
                action="person.update",
                target_type="person",
                target_id=person.id,
                target_org=person.org_code,
                detail="仅本级及上级管理员可管理人员 Only administrators manage people",
            )
        old_org = person.org_code
        diff = await service.update_person(session=session, identity=user, person=person, patch=body)
        if diff:
            if "active" in diff:
                await revoke_person(session=session, person_id=person.id, now=datetime.now(UTC))
            record(
                session=session,
                request=request,
                action="person.update",
                actor=user,
                target_type="person",
                target_id=person.id,
                target_org=old_org,
                details=diff,
            )
    forget_person(request, person.id)
    return _out(person)


@router.post("/{person_id}/password", status_code=204, summary="设置密码 Set or change a password")
async def set_password(
    person_id: str, body: PasswordChange, request: Request, session: SessionDep, user: UserDep
) -> Response:
    async with session.begin():
        person = await service.get_person(session=session, identity=user, person_id=person_id)
        own = person.id == user.person_id
        current_hash = person.password_hash
    if own:
        ok = await asyncio.to_thread(verify_password, current_hash, body.old_password or "")
        if not ok:
            await record_alone(
                request=request,
                action="person.password_change",
                outcome="failure",
                actor=user,
                target_type="person",
                target_id=person.id,
                target_org=person.org_code,
                details={"reason": "wrong old password"},
            )
            raise Problem(403, "wrong-password", "原密码错误 Wrong current password")
    elif not manages_people(user, person.org_code):
        raise await deny(
            request=request,
            actor=user,
            action="person.password",
            target_type="person",
            target_id=person.id,
            target_org=person.org_code,
            detail="仅管理员可重置他人密码 Only administrators reset others' passwords",
        )
    new_hash = await asyncio.to_thread(hash_password, body.new_password)
    async with session.begin():
        person = await service.get_person(session=session, identity=user, person_id=person_id)
        service.set_password(session=session, person=person, password_hash=new_hash)
        await revoke_person(session=session, person_id=person.id, now=datetime.now(UTC))
        record(
            session=session,
            request=request,
            action="person.password_change" if own else "person.password_reset",
            actor=user,
            target_type="person",
            target_id=person.id,
            target_org=person.org_code,
        )
    forget_person(request, person.id)
    return Response(status_code=204)
