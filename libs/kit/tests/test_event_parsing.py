"""The consumer parses an event once, as the type its publisher announced (AMQP ``type``), and checks the
announcement against the body; an announced type it has no handler for is skipped unread."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import make_engine, make_sessionmaker
from luoshi_kit.messaging.bus import Delivery, PoisonMessage
from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_kit.messaging.inbox import EventConsumer
from luoshi_kit.testing import kit_tables
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.tasking.v1 import Actor, TaskAccepted, TaskRef

ORG = "520102000000"
ACCEPTED, ASSIGNED = "tasking.task.accepted.v1", "tasking.task.assigned.v1"
HANDLERS = HandlerTable()


@HANDLERS.on(ACCEPTED)
async def accepted(*, session: AsyncSession, event: CloudEvent[TaskAccepted]) -> None:
    return None


def _body(event_type: str = ACCEPTED) -> bytes:
    ref = TaskRef(
        task_id="T1", title="t", issuing_org="520000000000", lead_unit=ORG, deadline=date(2026, 12, 31)
    )
    data = TaskAccepted(task=ref, by=Actor(person_id="p", org_code=ORG), at=datetime.now(UTC))
    event = CloudEvent[TaskAccepted](source="/luoshi/tasking", type=event_type, orgcode=ORG, data=data)
    return event.model_dump_json().encode()


@pytest.fixture
def consumer() -> EventConsumer:
    engine = make_engine("sqlite+aiosqlite:///:memory:")
    return EventConsumer(
        service="kit-test", sessionmaker=make_sessionmaker(engine, kit_tables()), handlers=HANDLERS
    )


def test_an_announced_event_is_parsed_as_its_type(consumer: EventConsumer) -> None:
    event = consumer.parse(Delivery("m1", ACCEPTED, _body(), event_type=ACCEPTED))
    assert event is not None and isinstance(event.data, TaskAccepted)
    assert consumer.parse(Delivery("m2", ACCEPTED, _body())) is not None  # no announcement: as before


def test_an_announced_type_without_handler_is_skipped_unread(consumer: EventConsumer) -> None:
    assert consumer.parse(Delivery("m1", ASSIGNED, b"not json", event_type=ASSIGNED)) is None


def test_a_wrong_announcement_is_judged_by_the_body(consumer: EventConsumer) -> None:
    # Announced as handled, but the body says another type: the body decides (here: no handler).
    assert consumer.parse(Delivery("m1", ACCEPTED, _body(ASSIGNED), event_type=ACCEPTED)) is None
    with pytest.raises(PoisonMessage):
        consumer.parse(Delivery("m2", ACCEPTED, b"{}", event_type=ACCEPTED))
