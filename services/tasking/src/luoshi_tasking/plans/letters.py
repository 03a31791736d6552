"""Responsibility letters (责任书): 上级政府与下级政府间、政府与部门间层层签订. Never commit."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Depends
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import utcnow
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.orgtree import within_subtree
from luoshi_kit.permissions import require_roles
from luoshi_kit.scope import require_in_scope
from luoshi_proto.divisions import is_below
from luoshi_tasking.orgs.service import require_known_orgs
from luoshi_tasking.plans.models import ResponsibilityLetter
from luoshi_tasking.plans.schemas import LetterIn

SIGNING_ROLES = ("principal", "deputy", "office", "admin")
LetterSigner = Annotated[
    Identity, Depends(require_roles(*SIGNING_ROLES, detail="只有负责同志、督查室或管理员可登记责任书"))
]


async def create_letter(
    *, session: AsyncSession, identity: Identity, data: LetterIn, today: date
) -> ResponsibilityLetter:
    require_in_scope(identity, data.issuing_org, data.signing_org)
    if not is_below(data.signing_org, data.issuing_org):
        raise Problem(
            422,
            "signing-org-not-below",
            "签订单位须为下级政府或部门 Signing organisation must lie below",
            f"签订单位 {data.signing_org} 不是 {data.issuing_org} 的下级政府或部门",
        )
    if data.signed_on > today:
        raise Problem(
            422, "date-in-future", "日期晚于今天 Date in the future", f"签订日期 {data.signed_on} 晚于今天"
        )
    await require_known_orgs(session=session, codes={data.issuing_org, data.signing_org})
    letter = ResponsibilityLetter(
        id=str(uuid.uuid4()),
        **data.model_dump(),
        created_by=identity.person_id,
        created_org=identity.org_code,
        created_at=utcnow(),
    )
    session.add(letter)
    await session.flush()
    return letter


async def list_letters(
    *, session: AsyncSession, identity: Identity, org: str | None, year: int | None, offset: int, limit: int
) -> tuple[list[ResponsibilityLetter], int]:
    query = select(ResponsibilityLetter).where(
        or_(
            within_subtree(ResponsibilityLetter.issuing_org, identity.org_code),
            within_subtree(ResponsibilityLetter.signing_org, identity.org_code),
        )
    )
    require_in_scope(identity, org)
    if org:
        query = query.where(
            or_(ResponsibilityLetter.issuing_org == org, ResponsibilityLetter.signing_org == org)
        )
    if year:
        query = query.where(ResponsibilityLetter.year == year)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(
        ResponsibilityLetter.year.desc(), ResponsibilityLetter.signed_on.desc(), ResponsibilityLetter.id
    )
    return list((await session.scalars(page.offset(offset).limit(limit))).all()), total
