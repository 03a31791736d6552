"""People: queries and changes, each change announced so services can reach them.

The use cases the routes call (``add_person``, ``visible_people``, ``read_person``, ``change_person``,
``check_password_change``, ``change_password``) check who may act, audit the change or the denial,
hash passwords and revoke sessions. Keyword-only, never commit; the route owns the transaction.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.audit.service import deny, record, record_alone
from luoshi_gateway.auth.passwords import hash_password, verify_password
from luoshi_gateway.auth.sessions import revoke_person
from luoshi_gateway.orgs.models import Org
from luoshi_gateway.orgs.service import org_not_found
from luoshi_gateway.people.models import Person
from luoshi_gateway.people.rules import manages_people, reads_people, role_detail_errors
from luoshi_gateway.people.schemas import PasswordChange, PersonCreate, PersonPatch
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_kit.orgtree import within_subtree
from luoshi_kit.paging import PageParams, fetch_page
from luoshi_proto.gateway.v1 import PersonUpserted

ROLE_DETAIL_FIELDS = (
    "overseen_areas",
    "inspector_type",
    "representative_type",
    "assessor_assignment",
    "assessor_valid_from",
    "assessor_valid_to",
)


def upsert_person(*, session: AsyncSession, person: Person) -> None:
    session.add(person)
    add_event(
        session=session,
        source="gateway",
        orgcode=person.org_code,
        subject=person.id,
        data=PersonUpserted(
            person_id=person.id,
            display_name=person.display_name,
            org_code=person.org_code,
            roles=person.roles,
            active=person.active,
        ),
    )


def person_not_found() -> Problem:
    return Problem(404, "not-found", "人员不存在 Person not found")


def _invalid(detail: str) -> Problem:
    return Problem(422, "validation", "输入有误 Invalid input", detail)


async def get_person(*, session: AsyncSession, identity: Identity, person_id: str) -> Person:
    """A person of the caller's subtree; anyone else is 404, so guessed ids reveal nothing."""
    person = await session.get(Person, person_id)
    if person is None or not identity.can_see(person.org_code):
        raise person_not_found()
    return person


async def list_people(
    *, session: AsyncSession, org_code: str, subtree: bool, page: PageParams
) -> tuple[list[Person], int, bool]:
    query = select(Person)
    if subtree and len(org_code) == 12:
        query = query.where(within_subtree(Person.org_code, org_code))
    else:
        query = query.where(Person.org_code == org_code)
    return await fetch_page(session, query.order_by(Person.org_code, Person.id), page)


async def _require_org(*, session: AsyncSession, code: str) -> None:
    org = await session.get(Org, code)
    if org is None:
        raise Problem(404, "not-found", "单位不存在 Organisation not found")
    if not org.active:
        raise Problem(409, "org-inactive", "单位已停用 Organisation deactivated", code)


async def _check_unique(
    *, session: AsyncSession, person_id: str | None, username: str | None, oidc_subject: str | None
) -> None:
    if username:
        other = await session.scalar(select(Person.id).where(Person.username == username))
        if other is not None and other != person_id:
            raise Problem(409, "username-taken", "用户名已被使用 Username taken", username)
    if oidc_subject:
        other = await session.scalar(select(Person.id).where(Person.oidc_subject == oidc_subject))
        if other is not None and other != person_id:
            raise Problem(409, "oidc-subject-taken", "外部身份已绑定他人 OIDC subject taken")


def _check_roles(person: Person) -> None:
    errors = role_detail_errors(
        roles=list(person.roles),
        **{name: getattr(person, name) for name in ROLE_DETAIL_FIELDS},
    )
    if errors:
        raise _invalid("; ".join(errors))


async def create_person(*, session: AsyncSession, data: PersonCreate, password_hash: str | None) -> Person:
    await _require_org(session=session, code=data.org_code)
    await _check_unique(
        session=session, person_id=None, username=data.username, oidc_subject=data.oidc_subject
    )
    person = Person(
        id=f"u-{uuid.uuid4().hex[:16]}",
        username=data.username,
        display_name=data.display_name,
        org_code=data.org_code,
        roles=list(dict.fromkeys(data.roles)),
        password_hash=password_hash,
        active=data.active,
        oidc_subject=data.oidc_subject,
        **{name: getattr(data, name) for name in ROLE_DETAIL_FIELDS},
    )
    _check_roles(person)
    upsert_person(session=session, person=person)
    return person


async def update_person(
    *, session: AsyncSession, identity: Identity, person: Person, patch: PersonPatch
) -> dict[str, Any]:
    """Apply the fields sent; returns what changed (old, new) for the audit trail."""
    changes = patch.model_dump(exclude_unset=True)
    for required in ("display_name", "roles", "active", "overseen_areas"):
        if required in changes and changes[required] is None:
            raise _invalid(f"{required} 不能为空 cannot be null")
    if "org_code" in changes:
        if changes["org_code"] is None:
            raise _invalid("org_code 不能为空 cannot be null")
        if not identity.can_see(changes["org_code"]):
            raise Problem(404, "not-found", "单位不存在 Organisation not found")
        await _require_org(session=session, code=changes["org_code"])
    if person.id == identity.person_id and (
        changes.get("active") is False or ("roles" in changes and "admin" not in changes["roles"])
    ):
        raise Problem(409, "self-lockout", "不能停用自己或取消自己的管理员角色 Cannot lock yourself out")
    await _check_unique(
        session=session,
        person_id=person.id,
        username=changes.get("username"),
        oidc_subject=changes.get("oidc_subject"),
    )
    diff: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "roles":
            value = list(dict.fromkeys(value))
        old = getattr(person, name)
        if old != value:
            diff[name] = {"old": _plain(old), "new": _plain(value)}
            setattr(person, name, value)
    _check_roles(person)
    if diff:
        upsert_person(session=session, person=person)
    return diff


def set_password(*, session: AsyncSession, person: Person, password_hash: str) -> None:
    person.password_hash = password_hash
    upsert_person(session=session, person=person)


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


async def _refuse(
    *, request: Request, actor: Identity, action: str, person_id: str, org: str, detail: str
) -> Problem:
    """The audited 403 for an act on one person."""
    return await deny(
        request=request,
        actor=actor,
        action=action,
        target_type="person",
        target_id=person_id,
        target_org=org,
        detail=detail,
    )


MANAGE_DENIED = "仅本级及上级管理员可管理人员 Only administrators manage people"
READ_DENIED = "仅管理员和督查室可查看人员 Only administrators and the office read people"


async def add_person(
    *, session: AsyncSession, request: Request, actor: Identity, data: PersonCreate
) -> Person:
    """新增人员: an administrator of the person's organisation or above; audited."""
    if not actor.can_see(data.org_code):
        raise org_not_found()
    if not manages_people(actor, data.org_code):
        raise await deny(
            request=request,
            actor=actor,
            action="person.create",
            target_org=data.org_code,
            detail=MANAGE_DENIED,
        )
    # Hashed before the first statement, so no connection waits on argon2.
    password_hash = await asyncio.to_thread(hash_password, data.password) if data.password else None
    person = await create_person(session=session, data=data, password_hash=password_hash)
    record(
        session=session,
        request=request,
        action="person.create",
        actor=actor,
        target_type="person",
        target_id=person.id,
        target_org=person.org_code,
        details=data.model_dump(mode="json", exclude={"password"}) | {"password_set": bool(data.password)},
    )
    return person


async def visible_people(
    *,
    session: AsyncSession,
    request: Request,
    actor: Identity,
    org: str | None,
    subtree: bool,
    page: PageParams,
) -> tuple[list[Person], int, bool]:
    """The people of ``org`` (default: the actor's own), for administrators and the office; one page."""
    code = org or actor.org_code
    if not actor.can_see(code):
        raise org_not_found()
    if not reads_people(actor, code):
        raise await deny(
            request=request,
            actor=actor,
            action="person.list",
            target_type="org",
            target_id=code,
            target_org=code,
            detail=READ_DENIED,
        )
    return await list_people(session=session, org_code=code, subtree=subtree, page=page)


async def read_person(*, session: AsyncSession, request: Request, actor: Identity, person_id: str) -> Person:
    """Oneself, or a person an administrator or the office may read."""
    person = await get_person(session=session, identity=actor, person_id=person_id)
    if person.id != actor.person_id and not reads_people(actor, person.org_code):
        raise await _refuse(
            request=request,
            actor=actor,
            action="person.read",
            person_id=person.id,
            org=person.org_code,
            detail=READ_DENIED,
        )
    return person


async def change_person(
    *, session: AsyncSession, request: Request, actor: Identity, person_id: str, patch: PersonPatch
) -> Person:
    """修改人员: audited; deactivating a person ends their sessions."""
    person = await get_person(session=session, identity=actor, person_id=person_id)
    if not manages_people(actor, person.org_code):
        raise await _refuse(
            request=request,
            actor=actor,
            action="person.update",
            person_id=person.id,
            org=person.org_code,
            detail=MANAGE_DENIED,
        )
    old_org = person.org_code
    diff = await update_person(session=session, identity=actor, person=person, patch=patch)
    if diff:
        if "active" in diff:
            await revoke_person(session=session, person_id=person.id, now=datetime.now(UTC))
        record(
            session=session,
            request=request,
            action="person.update",
            actor=actor,
            target_type="person",
            target_id=person.id,
            target_org=old_org,
            details=diff,
        )
    return person


async def check_password_change(
    *, request: Request, actor: Identity, person: Person, data: PasswordChange
) -> str:
    """Who may set ``person``'s password (as ``get_person`` read it): oneself with the current
    password (a wrong one is audited), or their administrator. Returns the new password's hash; it
    touches no session, so argon2 runs outside any transaction."""
    own, current_hash = person.id == actor.person_id, person.password_hash
    person_id, org_code = person.id, person.org_code
    if own:
        if not await asyncio.to_thread(verify_password, current_hash, data.old_password or ""):
            await record_alone(
                request=request,
                action="person.password_change",
                outcome="failure",
                actor=actor,
                target_type="person",
                target_id=person_id,
                target_org=org_code,
                details={"reason": "wrong old password"},
            )
            raise Problem(403, "wrong-password", "原密码错误 Wrong current password")
    elif not manages_people(actor, org_code):
        raise await _refuse(
            request=request,
            actor=actor,
            action="person.password",
            person_id=person_id,
            org=org_code,
            detail="仅管理员可重置他人密码 Only administrators reset others' passwords",
        )
    return await asyncio.to_thread(hash_password, data.new_password)


async def change_password(
    *, session: AsyncSession, request: Request, actor: Identity, person_id: str, password_hash: str
) -> Person:
    """Store a hash ``check_password_change`` returned; every session of the person ends; audited."""
    person = await get_person(session=session, identity=actor, person_id=person_id)
    set_password(session=session, person=person, password_hash=password_hash)
    await revoke_person(session=session, person_id=person.id, now=datetime.now(UTC))
    record(
        session=session,
        request=request,
        action="person.password_change" if person.id == actor.person_id else "person.password_reset",
        actor=actor,
        target_type="person",
        target_id=person.id,
        target_org=person.org_code,
    )
    return person
