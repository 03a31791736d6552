"""Payloads of the events scoring consumes, as tasking and supervision publish them (for tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from luoshi_proto.supervision.v1 import (
    FindingRecorded,
    FindingRef,
    RectificationRef,
    RectificationRejected,
    RectificationVerified,
)
from luoshi_proto.tasking.v1 import Actor, TaskDeadlineAlert, TaskRef, TaskStateChanged

PROVINCE = "520000000000"


def task(task_id: str, lead_unit: str, deadline: date, issuing_org: str = PROVINCE) -> TaskRef:
    return TaskRef(
        task_id=task_id,
        title=f"任务{task_id}",
        issuing_org=issuing_org,
        lead_unit=lead_unit,
        deadline=deadline,
    )


def at(day: date, hour: int = 2) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def closed(ref: TaskRef, on: date) -> TaskStateChanged:
    by = Actor(person_id="p-issuer", org_code=ref.issuing_org)
    return TaskStateChanged(task=ref, by=by, at=at(on), from_state="completed", to_state="closed")


def completed(ref: TaskRef, on: date) -> TaskStateChanged:
    by = Actor(person_id="p-lead", org_code=ref.lead_unit)
    return TaskStateChanged(task=ref, by=by, at=at(on), from_state="in_progress", to_state="completed")


def overdue(ref: TaskRef) -> TaskDeadlineAlert:
    return TaskDeadlineAlert(
        task=ref,
        occurrence=ref.deadline.isoformat(),
        colour="red",
        due=ref.deadline,
        working_days_left=-1,
        progress_percent=40,
        expected_percent=100,
    )


def finding(finding_id: str, org_code: str, on: date, office: str = PROVINCE) -> FindingRecorded:
    return FindingRecorded(
        finding=FindingRef(finding_id=finding_id, title="台账不全", org_code=org_code, inspecting_org=office),
        by=Actor(person_id="p-office", org_code=office),
        at=at(on),
    )


def rectification(rid: str, org_code: str, deadline: date, office: str = PROVINCE) -> RectificationRef:
    return RectificationRef(
        rectification_id=rid,
        finding_id=f"F-{rid}",
        title="整改台账",
        responsible_unit=org_code,
        inspecting_org=office,
        deadline=deadline,
    )


def verified(ref: RectificationRef, on: date, on_time: bool = True) -> RectificationVerified:
    by = Actor(person_id="p-office", org_code=ref.inspecting_org)
    return RectificationVerified(rectification=ref, by=by, at=at(on), on_time=on_time)


def rejected(ref: RectificationRef, on: date) -> RectificationRejected:
    by = Actor(person_id="p-office", org_code=ref.inspecting_org)
    return RectificationRejected(rectification=ref, by=by, at=at(on), reason="佐证材料不足")
