from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_notification.people.models import Person
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.gateway.v1 import PersonUpserted


async def on_person_upserted(*, session: AsyncSession, event: CloudEvent[PersonUpserted]) -> None:
    data = event.data
    await session.merge(
        Person(
            id=data.person_id,
            display_name=data.display_name,
            org_code=data.org_code,
            roles=list(data.roles),
            active=data.active,
        )
    )
