"""Supervision's inspections, findings and rectification items on the timelines of the tasks they name."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from luoshi_gateway.db import TABLES, Base
from luoshi_gateway.views.models import TimelineEntry
from luoshi_gateway.views.supervision_handlers import on_rectification
from luoshi_gateway.views.timeline_supervision import HANDLERS, on_finding, on_inspection_event
from luoshi_kit.db import make_engine, make_sessionmaker
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.supervision.v1 import (
    FindingRecorded,
    FindingRef,
    InspectionConducted,
    InspectionRef,
    RectificationOrdered,
    RectificationRef,
)
from luoshi_proto.tasking.v1 import Actor

OFFICE = Actor(person_id="u-province_office", org_code="520000000000")
AT = datetime(2026, 12, 1, 8, tzinfo=UTC)


def _event(event_type: str, data: Any) -> CloudEvent[Any]:
    return CloudEvent[Any](
        source="/luoshi/supervision", type=event_type, orgcode="520102000000", subject="s", time=AT, data=data
    )


async def test_inspections_findings_and_rectification_items_reach_the_tasks_they_name(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    maker = make_sessionmaker(engine, TABLES)
    inspection = InspectionRef(
        inspection_id="i",
        title="暗访 南明区",
        kind="unannounced",
        inspecting_org="520000000000",
        target_orgs=["520102000000"],
        task_ids=["t1", "t2"],
        planned_start=date(2026, 12, 1),
        planned_end=date(2026, 12, 1),
        unannounced=True,
    )
    conducted = _event(
        "supervision.inspection.conducted.v1",
        InspectionConducted(inspection=inspection, by=OFFICE, at=AT, conducted_on=date(2026, 12, 1)),
    )
    finding = FindingRef(
        finding_id="f",
        title="台账不实",
        org_code="520102000000",
        inspection_id="i",
        task_id="t1",
        inspecting_org="520000000000",
    )
    recorded = _event("supervision.finding.recorded.v1", FindingRecorded(finding=finding, by=OFFICE, at=AT))
    item = RectificationRef(
        rectification_id="r",
        finding_id="f",
        title="台账不实",
        responsible_unit="520102000000",
        inspecting_org="520000000000",
        task_id="t1",
        deadline=date(2026, 12, 15),
        listed=True,
    )
    ordered = _event(
        "supervision.rectification.ordered.v1",
        RectificationOrdered(rectification=item, by=OFFICE, at=AT, requirements="据实建账"),
    )
    untied = _event(
        "supervision.rectification.ordered.v1",
        RectificationOrdered(
            rectification=item.model_copy(update={"rectification_id": "r2", "task_id": None}),
            by=OFFICE,
            at=AT,
            requirements="无关任务",
        ),
    )
    try:
        for _ in range(2):  # a redelivery adds nothing
            async with maker() as session, session.begin():
                await on_inspection_event(session=session, event=conducted)
                await on_finding(session=session, event=recorded)
                await on_rectification(session=session, event=ordered)
                await on_rectification(session=session, event=untied)
        async with maker() as session:
            rows = (await session.scalars(select(TimelineEntry).order_by(TimelineEntry.summary))).all()
        entries = sorted((r.task_id, r.event_type, r.actor_id) for r in rows)
        assert entries == [
            ("t1", "supervision.finding.recorded.v1", "u-province_office"),
            ("t1", "supervision.inspection.conducted.v1", "u-province_office"),
            ("t1", "supervision.rectification.ordered.v1", "u-province_office"),
            ("t2", "supervision.inspection.conducted.v1", "u-province_office"),
        ]
        assert len({r.event_id for r in rows}) == 4
    finally:
        await engine.dispose()


def test_a_scheduled_inspection_is_not_put_on_a_timeline() -> None:
    """A 暗访 names its task before it is conducted: the task's own unit reads that timeline."""
    assert "supervision.inspection.scheduled.v1" not in HANDLERS
