"""People: changes are announced so services can reach them. Keyword-only, never commit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.people.models import Person
from luoshi_kit.messaging.outbox import add_event
from luoshi_proto.gateway.v1 import PersonUpserted


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
        ),  # type: ignore[arg-type]
    )
