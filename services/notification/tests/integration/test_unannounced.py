"""暗访 through the real consumer: the scheduled event of an unannounced inspection reaches the inspecting
office only — none of the target's people, not even those of a department inside the target — and the
target's leaders hear of it from ``conducted`` on."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi import FastAPI
from sqlalchemy import select

from luoshi_kit.testing import running_service
from luoshi_notification.inbox.models import Notification
from luoshi_notification.main import create_app
from luoshi_proto.supervision.v1 import InspectionConducted, InspectionRef, InspectionScheduled
from luoshi_proto.tasking.v1 import Actor

from .conftest import add_people, count, eventually, publish, settings

CITY, COUNTY, DEPARTMENT = "520100000000", "520102000000", "520102000000D03"
BY = Actor(person_id="p-city-office", org_code=CITY)
SECRET = InspectionRef(
    inspection_id="I-7",
    title="营商环境暗访",
    kind="unannounced",
    inspecting_org=CITY,
    target_orgs=[COUNTY],
    planned_start=date(2027, 3, 1),
    planned_end=date(2027, 3, 5),
    unannounced=True,
)


async def test_the_target_hears_nothing_until_the_inspection_is_conducted(
    postgres_url: str, vhost_amqp_url: str
) -> None:
    async with running_service(create_app, settings(postgres_url, vhost_amqp_url)) as (app, _client):
        await add_people(
            app,
            ("p-city-office", CITY, ["office"]),
            ("p-city-inspector", CITY, ["inspector"]),
            ("p-county-principal", COUNTY, ["principal"]),
            ("p-county-office", COUNTY, ["office"]),
            ("p-dept-principal", DEPARTMENT, ["principal", "office"]),
        )
        now = datetime.now(UTC)
        await publish(
            app,
            "supervision.inspection.scheduled.v1",
            InspectionScheduled(inspection=SECRET, by=BY, at=now),
            CITY,
        )

        async def office_told() -> bool:
            return await count(app, Notification) >= 2

        await eventually(office_told)
        assert await _recipients(app) == {"p-city-office", "p-city-inspector"}

        conducted = InspectionConducted(inspection=SECRET, by=BY, at=now, conducted_on=date(2027, 3, 2))
        await publish(app, "supervision.inspection.conducted.v1", conducted, COUNTY)

        async def target_told() -> bool:
            return await count(app, Notification) >= 4

        await eventually(target_told)
        assert await _recipients(app) == {
            "p-city-office",
            "p-city-inspector",
            "p-county-principal",
            "p-county-office",
        }


async def _recipients(app: FastAPI) -> set[str]:
    async with app.state.sessionmaker() as session:
        return set((await session.scalars(select(Notification.recipient_id))).all())
