"""Organisation queries and changes. Keyword-only, never commit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.orgs.models import Org
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_proto.divisions import division_parts
from luoshi_proto.gateway.v1 import OrgUpserted


def _not_found() -> Problem:
    return Problem(404, "not-found", "单位不存在 Organisation not found")


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
            level=org.level,  # type: ignore[arg-type]
            parent_code=org.parent_code,
            synthetic=org.synthetic,
            active=org.active,
        ),
    )
