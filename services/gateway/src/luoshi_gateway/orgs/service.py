"""Organisation queries and changes. Keyword-only, never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.orgs.models import Org
from luoshi_gateway.orgs.rules import child_level, department_code_error, government_code_error
from luoshi_gateway.orgs.schemas import OrgCreate, OrgPatch
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_proto.divisions import division_parts
from luoshi_proto.gateway.v1 import OrgUpserted


def _not_found() -> Problem:
    return Problem(404, "not-found", "单位不存在 Organisation not found")


org_not_found = _not_found


def _invalid(detail: str) -> Problem:
    return Problem(422, "invalid-org-code", "单位代码有误 Invalid organisation code", detail)


async def get_visible_org(*, session: AsyncSession, identity: Identity, code: str) -> Org:
    """An org in the person's subtree; anything else is 404, so guessing codes reveals nothing."""
    if not identity.can_see(code):
        raise _not_found()
    org = await session.get(Org, code)
    if org is None:
        raise _not_found()
    return org


async def children(*, session: AsyncSession, identity: Identity, code: str) -> list[Org]:
    await get_visible_org(session=session, identity=identity, code=code)
    return list((await session.scalars(select(Org).where(Org.parent_code == code).order_by(Org.code))).all())


async def search(*, session: AsyncSession, identity: Identity, name: str, limit: int) -> list[Org]:
    query = select(Org).where(Org.name.contains(name))
    if len(identity.org_code) > 12:
        query = query.where(Org.code == identity.org_code)
    else:
        query = query.where(Org.code.startswith("".join(division_parts(identity.org_code))))
    return list((await session.scalars(query.order_by(Org.code).limit(limit))).all())


def upsert_org(*, session: AsyncSession, org: Org) -> None:
    """Store an org and announce it, so services keep their local copy of the tree."""
    session.add(org)
    add_event(
        session=session,
        source="gateway",
        orgcode=org.code,
        subject=org.code,
        data=OrgUpserted(
            code=org.code,
            name=org.name,
            kind=org.kind,
            level=org.level,
            parent_code=org.parent_code,
            synthetic=org.synthetic,
            active=org.active,
        ),
    )


async def _next_department_code(*, session: AsyncSession, parent_code: str) -> str:
    taken = set((await session.scalars(select(Org.code).where(Org.code.startswith(f"{parent_code}D")))).all())
    for number in range(1, 100):
        if (code := f"{parent_code}D{number:02d}") not in taken:
            return code
    raise Problem(409, "no-department-code", "部门代码已用尽 No department code left", parent_code)


async def create_org(*, session: AsyncSession, parent: Org, data: OrgCreate) -> Org:
    """A department or a lower-tier government under ``parent`` (the caller checked the scope)."""
    if not parent.active:
        raise Problem(409, "org-inactive", "上级单位已停用 Parent organisation deactivated", parent.code)
    if parent.kind != "government":
        raise _invalid("上级须为政府 the parent must be a government")
    code = data.code
    if code is None:
        if data.kind == "government":
            raise _invalid("新设政府须提供区划代码 a government needs its division code")
        code = await _next_department_code(session=session, parent_code=parent.code)
    check = department_code_error if data.kind == "department" else government_code_error
    if error := check(code, parent.code):
        raise _invalid(error)
    if await session.get(Org, code) is not None:
        raise Problem(409, "org-exists", "单位代码已存在 Organisation code exists", code)
    org = Org(
        code=code,
        name=data.name,
        kind=data.kind,
        level=child_level(data.kind, parent.code),
        parent_code=parent.code,
        synthetic=False,
        active=True,
    )
    upsert_org(session=session, org=org)
    return org


async def update_org(*, session: AsyncSession, org: Org, data: OrgPatch) -> dict[str, Any]:
    """Rename or (de)activate; returns what changed (old, new). There is no hard delete."""
    changes = data.model_dump(exclude_unset=True)
    if any(value is None for value in changes.values()):
        raise Problem(422, "validation", "输入有误 Invalid input", "字段不能为空 fields cannot be null")
    if changes.get("active") is False and org.active:
        child = await session.scalar(select(Org.code).where(Org.parent_code == org.code, Org.active).limit(1))
        if child is not None:
            raise Problem(
                409, "org-has-children", "仍有在用的下级单位 Active child organisations remain", child
            )
    if changes.get("active") is True and org.parent_code:
        parent = await session.get(Org, org.parent_code)
        if parent is not None and not parent.active:
            raise Problem(409, "org-inactive", "上级单位已停用 Parent organisation deactivated")
    diff = {
        name: {"old": getattr(org, name), "new": value}
        for name, value in changes.items()
        if getattr(org, name) != value
    }
    for name in diff:
        setattr(org, name, changes[name])
    if diff:
        upsert_org(session=session, org=org)
    return diff
