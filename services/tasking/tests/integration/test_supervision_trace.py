"""Supervision's urges and orders (催办/督办) appear on the task's trace, once per event; an urge naming a
task this deployment does not hold writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

from luoshi_proto.envelope import CloudEvent
from luoshi_proto.supervision.v1 import UrgeAnswered, UrgeEscalated, UrgeEvent, UrgeIssued, UrgeRef
from luoshi_proto.tasking.v1 import Actor
from luoshi_tasking.supervision_trace.handlers import on_urge_event
from luoshi_tasking.tasks.models import TaskEvent

from .conftest import CITY, COUNTY, count_rows, person, unique_title

OFFICE = person(CITY, "office")


def _ref(task_id: str) -> UrgeRef:
    return UrgeRef(
        urge_id="U-1",
        kind="order",
        issuing_org=CITY,
        org_code=COUNTY,
        task_id=task_id,
        recipient_role="principal",
        level=2,
        answer_due=date(2026, 12, 3),
        answer_due_at=datetime(2026, 12, 3, 9, tzinfo=UTC),
        automatic=True,
    )


async def test_urge_steps_on_the_trace(tasking) -> None:
    app, client = tasking
    body = {"title": unique_title(), "lead_unit": COUNTY, "deadline": "2099-06-30"}
    task = (await client.post("/api/v1/tasks", json=body, headers=OFFICE)).json()
    at = datetime.now(UTC)
    by = Actor(person_id="p-county", org_code=COUNTY)
    events: list[CloudEvent[UrgeEvent]] = [
        CloudEvent(
            source="/luoshi/supervision",
            type="supervision.urge.issued.v1",
            orgcode=COUNTY,
            data=UrgeIssued(urge=_ref(task["id"]), at=at, message="请说明超期原因"),
        ),
        CloudEvent(
            source="/luoshi/supervision",
            type="supervision.urge.escalated.v1",
            orgcode=COUNTY,
            data=UrgeEscalated(urge=_ref(task["id"]), at=at, from_role="deputy"),
        ),
        CloudEvent(
            source="/luoshi/supervision",
            type="supervision.urge.answered.v1",
            orgcode=COUNTY,
            data=UrgeAnswered(urge=_ref(task["id"]), by=by, at=at, reason="资金未到位", plan="月底前补齐"),
        ),
        CloudEvent(
            source="/luoshi/supervision",
            type="supervision.urge.issued.v1",
            orgcode=COUNTY,
            data=UrgeIssued(urge=_ref("no-such-task"), at=at, message="m"),
        ),
    ]
    before = (await count_rows(app, TaskEvent))["task_event"]
    for event in [*events, events[0]]:  # the first one twice
        async with app.state.sessionmaker() as session, session.begin():
            await on_urge_event(session=session, event=event)
    assert (await count_rows(app, TaskEvent))["task_event"] == before + 3
    trace = (await client.get(f"/api/v1/tasks/{task['id']}/events", headers=OFFICE)).json()
    steps = {e["action"]: e for e in trace if e["action"].startswith("order_")}
    assert set(steps) == {"order_issued", "order_escalated", "order_answered"}
    assert steps["order_issued"]["actor_id"] == "system" and steps["order_issued"]["actor_org"] == CITY
    assert (
        steps["order_answered"]["actor_id"] == "p-county"
        and "资金未到位" in steps["order_answered"]["reason"]
    )
