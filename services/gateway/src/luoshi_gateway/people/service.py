"""People: queries and changes, each change announced so services can reach them.

Keyword-only, never commit; the route owns the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.orgs.models import Org
from luoshi_gateway.people.models import Person
from luoshi_gateway.people.rules import role_detail_errors
from luoshi_gateway.people.schemas import PersonCreate, PersonPatch
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_proto.divisions import division_parts
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
    *, session: AsyncSession, org_code: str, subtree: bool, limit: int, offset: int
) -> Sequence[Person]:
    query = select(Person)
    if subtree and len(org_code) == 12:
        query = query.where(Person.org_code.startswith("".join(division_parts(org_code))))
    else:
        query = query.where(Person.org_code == org_code)
    return (
        await session.scalars(query.order_by(Person.org_code, Person.id).limit(limit).offset(offset))
    ).all()


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
