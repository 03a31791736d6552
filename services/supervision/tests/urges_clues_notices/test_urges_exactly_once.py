"""Automatic urges exactly once per occurrence, and escalation exactly once per step — under redelivery,
with two replicas, and across a restart (real PostgreSQL and RabbitMQ)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from luoshi_kit.testing import running_service
from luoshi_supervision.config import SupervisionSettings
from luoshi_supervision.main import create_app
from luoshi_supervision.urges import escalation, service
from luoshi_supervision.urges.models import Urge, UrgeStep

from .conftest import COUNTY, alert, count_rows, eventually, outbox_types, publish, settings_for

OVERDUE, LAGGING = "tasking.task.overdue.v1", "tasking.task.lagging.v1"


async def _urges(app, task_id: str) -> list[Urge]:
    async with app.state.sessionmaker() as session:
        return list((await session.scalars(select(Urge).where(Urge.task_id == task_id))).all())


async def test_an_overdue_task_gets_one_order_even_when_the_alert_comes_twice(supervision, vhost_amqp_url):
    app, _client = supervision
    data = alert("T-overdue", occurrence="2026-11-02")
    await publish(vhost_amqp_url, data, COUNTY, OVERDUE, "T-overdue")
    await publish(vhost_amqp_url, data, COUNTY, OVERDUE, "T-overdue")  # another event id, same occurrence
    await publish(vhost_amqp_url, alert("T-overdue", occurrence="2026-W45"), COUNTY, LAGGING, "T-overdue")

    async def both_handled():
        inbox = tables_of_inbox(app)
        return (await count_rows(app, inbox))["inbox"] >= 3 or None

    await eventually(both_handled)
    urges = await _urges(app, "T-overdue")
    assert sorted((u.kind, u.recipient_role, u.level, u.occurrence) for u in urges) == [
        ("order", "principal", 2, "2026-11-02"),
        ("urge", "handler", 0, "2026-W45"),
    ]
    order = next(u for u in urges if u.kind == "order")
    assert order.org_code == COUNTY and order.automatic and order.state == "open"
    assert order.answer_due_at > order.issued_at
    assert (await outbox_types(app)).count("supervision.urge.issued.v1") == 2
    # A later occurrence (the deadline moved and passed again) is a new order.
    await publish(vhost_amqp_url, alert("T-overdue", occurrence="2026-12-01"), COUNTY, OVERDUE)
    await eventually(lambda: _count_kind(app, "T-overdue", "order", 2))


async def _count_kind(app, task_id: str, kind: str, n: int) -> bool | None:
    return len([u for u in await _urges(app, task_id) if u.kind == kind]) == n or None


def tables_of_inbox(app):
    from luoshi_kit.db import tables_of

    return tables_of(app.state.sessionmaker).inbox


async def test_two_replicas_open_one_order_per_occurrence(postgres_url, vhost_amqp_url):
    settings = settings_for(postgres_url, vhost_amqp_url)
    async with (
        running_service(create_app, settings) as (one, _c1),
        running_service(create_app, settings) as (two, _c2),
    ):
        tasks = [f"T-r{i}" for i in range(15)]
        # Each alert twice, under different ids: the copies meet on both replicas' consumers.
        for task_id in tasks:
            data = alert(task_id, occurrence="2026-11-02")
            await publish(vhost_amqp_url, data, COUNTY, OVERDUE, task_id)
            await publish(vhost_amqp_url, data, COUNTY, OVERDUE, task_id)

        async def all_handled():
            return (await count_rows(one, tables_of_inbox(one)))["inbox"] >= 30 or None

        await eventually(all_handled, within=30)
        counts = await count_rows(one, Urge, UrgeStep)
        assert counts == {"urge": 15, "urge_step": 15}
        assert (await outbox_types(two)).count("supervision.urge.issued.v1") == 15

        # The race itself, head on: two transactions insert the same occurrence at once.
        data = alert("T-race", occurrence="2026-11-02")
        now = datetime.now(UTC)

        async def open_in(app):
            async with app.state.sessionmaker() as session, session.begin():
                urge = await service.open_automatic(
                    session=session,
                    kind="order",
                    task=data.task,
                    occurrence=data.occurrence,
                    due=data.due,
                    at=now,
                    answer_hours=16,
                )
                await asyncio.sleep(0.2)  # hold the transaction open while the other one tries
                return urge

        results = await asyncio.gather(open_in(one), open_in(two))
        assert sorted(r is None for r in results) == [False, True]
        assert len(await _urges(one, "T-race")) == 1


async def _make_overdue(app, urge_id: str) -> None:
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(
            update(Urge)
            .where(Urge.id == urge_id)
            .values(answer_due_at=datetime.now(UTC) - timedelta(minutes=1))
        )


async def _steps(app, urge_id: str) -> list[tuple[str, int, str]]:
    async with app.state.sessionmaker() as session:
        rows = (await session.scalars(select(UrgeStep).where(UrgeStep.urge_id == urge_id))).all()
        return sorted((s.action, s.level, s.recipient_role) for s in rows)


async def test_escalation_steps_once_each_across_a_restart_and_two_replicas(postgres_url, vhost_amqp_url):
    settings = settings_for(postgres_url, vhost_amqp_url)
    data = alert("T-climb", occurrence="2026-W45")
    async with running_service(create_app, settings) as (app, _client):
        await publish(vhost_amqp_url, data, COUNTY, LAGGING, "T-climb")
        urge = (await eventually(lambda: _urges_or_none(app, "T-climb")))[0]
        assert (urge.kind, urge.level) == ("urge", 0)
        assert await escalation.scan_once(app.state.sessionmaker, settings) == 0  # not due yet
        await _make_overdue(app, urge.id)
        assert await escalation.scan_once(app.state.sessionmaker, settings) == 1
        assert await escalation.scan_once(app.state.sessionmaker, settings) == 0  # the new step's window runs
    # Restart: a new process over the same database; then two replicas scan at the same moment.
    async with (
        running_service(create_app, settings) as (one, _c1),
        running_service(create_app, settings) as (two, _c2),
    ):
        assert (await _urges(one, "T-climb"))[0].level == 1
        await _make_overdue(one, urge.id)
        raised = await asyncio.gather(
            escalation.scan_once(one.state.sessionmaker, settings),
            escalation.scan_once(two.state.sessionmaker, settings),
        )
        assert sorted(raised) == [0, 1]
        await _make_overdue(one, urge.id)
        assert await escalation.scan_once(two.state.sessionmaker, settings) == 1
        await _make_overdue(one, urge.id)  # at the top (上级督查室): nothing climbs further
        assert await escalation.scan_once(one.state.sessionmaker, settings) == 0
        final = (await _urges(one, "T-climb"))[0]
        assert (final.level, final.recipient_role, final.state) == (3, "office", "open")
        assert await _steps(one, urge.id) == [
            ("escalated", 1, "deputy"),
            ("escalated", 2, "principal"),
            ("escalated", 3, "office"),
            ("issued", 0, "handler"),
        ]
        assert (await outbox_types(one)).count("supervision.urge.escalated.v1") == 3


async def _urges_or_none(app, task_id: str) -> list[Urge] | None:
    return await _urges(app, task_id) or None


async def test_an_answered_or_closed_urge_never_escalates(supervision, vhost_amqp_url):
    app, _client = supervision
    settings: SupervisionSettings = app.state.settings
    await publish(vhost_amqp_url, alert("T-done", occurrence="2026-W45"), COUNTY, LAGGING, "T-done")
    urge = (await eventually(lambda: _urges_or_none(app, "T-done")))[0]
    async with app.state.sessionmaker() as session, session.begin():
        assert await service.close_for_task(session=session, task_id="T-done", at=datetime.now(UTC)) == 1
    await _make_overdue(app, urge.id)
    assert await escalation.scan_once(app.state.sessionmaker, settings) == 0
    assert [s[0] for s in await _steps(app, urge.id)] == ["closed", "issued"]
