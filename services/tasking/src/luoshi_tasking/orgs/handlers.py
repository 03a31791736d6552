"""Keeps the local organisation replica up to date."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_proto.envelope import CloudEvent
from luoshi_proto.gateway.v1 import OrgUpserted
from luoshi_tasking.orgs.models import Org


async def on_org_upserted(*, session: AsyncSession, event: CloudEvent[OrgUpserted]) -> None:
    data = event.data
    await session.merge(
        Org(
            code=data.code,
            name=data.name,
            kind=data.kind,
            level=data.level,
            parent_code=data.parent_code,
            active=data.active,
        )
    )
