"""Keeps the local replica of the people notification must reach."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import upsert
from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_notification.people.models import Person
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.gateway.v1 import PersonUpserted

HANDLERS = HandlerTable()


@HANDLERS.on("gateway.person.upserted.v1")
async def on_person_upserted(*, session: AsyncSession, event: CloudEvent[PersonUpserted]) -> None:
    data = event.data
    values = {
        "id": data.person_id,
        "display_name": data.display_name,
        "org_code": data.org_code,
        "roles": list(data.roles),
        "active": data.active,
    }
    await upsert(session, Person, values)
