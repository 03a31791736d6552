"""Events as producers emit them validate against the committed JSON Schemas, and the registry is sane."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from luoshi_proto import registry
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.gateway.v1 import OrgTreeAnnounced, OrgUpserted, PersonUpserted
from luoshi_proto.notification.v1 import MessageDelivered, MessageFailed, MessageRef
from luoshi_proto.tasking.v1 import (
    Actor,
    DocumentRef,
    DocumentStudyAlert,
    FieldChange,
    LedgerEntryRecorded,
    TaskAccepted,
    TaskAssigned,
    TaskCoUnitConfirmed,
    TaskDeadlineAlert,
    TaskDeadlineExtended,
    TaskExtensionDecided,
    TaskExtensionRequested,
    TaskProgressReported,
    TaskProgressRolledUp,
    TaskRef,
    TaskReturned,
    TaskStateChanged,
    TaskUpdated,
)
from tests.contract.samples_supervision_scoring import SAMPLES as SUPERVISION_AND_SCORING

PROTO_DIR = Path(__file__).resolve().parents[2] / "proto"
TYPE_PATTERN = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*\.[a-z][a-z_]*\.v[1-9]\d*$")

# event type -> (a realistic payload, the organisation the event concerns, the subject)
SAMPLES: dict[str, tuple[BaseModel, str, str]] = {
    "gateway.org.upserted.v1": (
        OrgUpserted(
            code="520102000000",
            name="贵阳市南明区人民政府",
            kind="government",
            level="county",
            parent_code="520100000000",
        ),
        "520102000000",
        "520102000000",
    ),
    "gateway.org.tree_announced.v1": (
        OrgTreeAnnounced(org_count=2000, person_count=4293, root_code="520000000000"),
        "520000000000",
        "520000000000",
    ),
    "gateway.person.upserted.v1": (
        PersonUpserted(
            person_id="p-520102-0031",
            display_name="王芳",
            org_code="520102000000D03",
            roles=["handler", "deputy"],
        ),
        "520102000000D03",
        "p-520102-0031",
    ),
    "tasking.task.assigned.v1": (
        TaskAssigned(
            task=TaskRef(
                task_id="T-2025-0042",
                title="推进城乡生活垃圾分类处理设施建设",
                issuing_org="520102000000",
                lead_unit="520102001000",
                co_units=["520102000000D03", "520102000000D07"],
                deadline=date(2025, 6, 30),
            ),
            by=Actor(person_id="p-520102-0007", org_code="520102000000"),
            at=datetime(2025, 3, 3, 1, 30, tzinfo=UTC),
        ),
        "520102001000",
        "T-2025-0042",
    ),
}

_TASK = TaskRef(
    task_id="T-2025-0042",
    title="推进城乡生活垃圾分类处理设施建设",
    issuing_org="520102000000",
    lead_unit="520102001000",
    deadline=date(2025, 6, 30),
)
_BY = Actor(person_id="p-520102001000-handler", org_code="520102001000")
_AT = datetime(2025, 4, 1, 2, 0, tzinfo=UTC)
for _name, (_from, _to) in {
    "completed": ("accepted", "completed"),
    "reopened": ("completed", "accepted"),
    "closed": ("completed", "closed"),
    "archived": ("closed", "archived"),
    "cancelled": ("assigned", "cancelled"),
}.items():
    SAMPLES[f"tasking.task.{_name}.v1"] = (
        TaskStateChanged(task=_TASK, by=_BY, at=_AT, from_state=_from, to_state=_to, reason="复核意见"),
        "520102001000",
        "T-2025-0042",
    )
SAMPLES["tasking.task.accepted.v1"] = (
    TaskAccepted(task=_TASK, by=_BY, at=_AT),
    "520102001000",
    "T-2025-0042",
)
SAMPLES["tasking.task.returned.v1"] = (
    TaskReturned(task=_TASK, by=_BY, at=_AT, reason="不属于本单位职责"),
    "520102001000",
    "T-2025-0042",
)
SAMPLES["tasking.task.progress_reported.v1"] = (
    TaskProgressReported(
        task=_TASK,
        by=_BY,
        at=_AT,
        report_id="R-1",
        progress_percent=40,
        progress="已完成选址",
        problems="资金未到位",
        measures="协调财政局拨付",
    ),
    "520102001000",
    "T-2025-0042",
)
SAMPLES["tasking.task.progress_rolled_up.v1"] = (
    TaskProgressRolledUp(
        task=_TASK, at=_AT, subtask_id="T-2025-0043", progress_percent=55, previous_percent=40, lagging=False
    ),
    "520102001000",
    "T-2025-0042",
)
SAMPLES["tasking.task.updated.v1"] = (
    TaskUpdated(
        task=_TASK,
        by=_BY,
        at=_AT,
        reason="按市委要求调整",
        changes=[
            FieldChange(field="title", before="旧名称", after="新名称"),
            FieldChange(field="co_units", before=[], after=["520102002000"]),
            FieldChange(field="deadline", before="2025-06-30", after="2025-07-31"),
        ],
    ),
    "520102001000",
    "T-2025-0042",
)
SAMPLES["tasking.task.extension_requested.v1"] = (
    TaskExtensionRequested(
        task=_TASK,
        by=_BY,
        at=_AT,
        extension_id="E-1",
        reason="征地手续未完成",
        current_deadline=date(2025, 6, 30),
        requested_deadline=date(2025, 7, 31),
        working_days_added=23,
        late=False,
    ),
    "520102001000",
    "T-2025-0042",
)
SAMPLES["tasking.task.extension_decided.v1"] = (
    TaskExtensionDecided(
        task=_TASK,
        by=_BY,
        at=_AT,
        extension_id="E-1",
        decision="approved",
        comment="同意",
        requested_deadline=date(2025, 7, 31),
        late=False,
    ),
    "520102001000",
    "T-2025-0042",
)
SAMPLES["tasking.task.deadline_extended.v1"] = (
    TaskDeadlineExtended(
        task=_TASK.model_copy(
            update={
                "deadline": date(2025, 7, 31),
                "original_deadline": date(2025, 6, 30),
                "extension_count": 1,
            }
        ),
        by=_BY,
        at=_AT,
        extension_id="E-1",
        previous_deadline=date(2025, 6, 30),
        working_days_added=23,
        late=False,
    ),
    "520102001000",
    "T-2025-0042",
)
SAMPLES["tasking.task.co_unit_confirmed.v1"] = (
    TaskCoUnitConfirmed(task=_TASK, by=_BY, at=_AT, org_code="520102002000", note="协办确认"),
    "520102002000",
    "T-2025-0042",
)
SAMPLES["tasking.ledger.entry_recorded.v1"] = (
    LedgerEntryRecorded(
        task=_TASK,
        by=_BY,
        at=_AT,
        entry_id="L-1",
        org_code="520102001000",
        kind="open",
        period_label="2025-04-01",
    ),
    "520102001000",
    "T-2025-0042",
)
_COLOURS: dict[str, Literal["green", "yellow", "red"]] = {
    "due_soon": "green",
    "lagging": "yellow",
    "overdue": "red",
    "report_missing": "yellow",
}
_STAGES: dict[str, Literal["study", "report"]] = {
    "study_due": "study",
    "study_overdue": "study",
    "report_overdue": "report",
}
for _name, _colour in _COLOURS.items():
    SAMPLES[f"tasking.task.{_name}.v1"] = (
        TaskDeadlineAlert(
            task=_TASK,
            occurrence="2025-06-30",
            colour=_colour,
            due=date(2025, 6, 30),
            working_days_left=3,
            progress_percent=30,
            expected_percent=60,
        ),
        "520102001000",
        "T-2025-0042",
    )
for _name, _stage in _STAGES.items():
    SAMPLES[f"tasking.document.{_name}.v1"] = (
        DocumentStudyAlert(
            document=DocumentRef(
                document_id="D-1", title="关于进一步优化营商环境的意见", org_code="520000000000"
            ),
            due=date(2025, 3, 7),
            stage=_stage,
        ),
        "520000000000",
        "D-1",
    )

SAMPLES.update(SUPERVISION_AND_SCORING)
_MESSAGE = MessageRef(
    notification_id="N-1",
    recipient_id="p-520102001000-principal",
    org_code="520102001000",
    kind="task.overdue",
    source_event_id="ev-1",
)
SAMPLES["notification.message.delivered.v1"] = (
    MessageDelivered(message=_MESSAGE, at=_AT, channel="email", attempts=1),
    "520102001000",
    "N-1",
)
SAMPLES["notification.message.failed.v1"] = (
    MessageFailed(message=_MESSAGE, at=_AT, channel="sms", attempts=4, status="failed", error="HTTP 503"),
    "520102001000",
    "N-1",
)
EVENT_TYPES = sorted(registry.EVENT_TYPES)


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((PROTO_DIR / "jsonschema" / f"{name}.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def sample_event(event_type: str) -> dict[str, Any]:
    """The JSON a producer puts on the wire, built the way the outbox builds it."""
    assert event_type in SAMPLES, f"add a sample for {event_type} to SAMPLES in {__file__}"
    data, orgcode, subject = SAMPLES[event_type]
    event: CloudEvent[BaseModel] = CloudEvent(
        source=f"/luoshi/{event_type.split('.')[0]}",
        type=event_type,
        subject=subject,
        orgcode=orgcode,
        dataschema=registry.schema_path(event_type),
        traceparent="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        data=data,
    )
    result: dict[str, Any] = json.loads(event.model_dump_json())
    return result


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_sample_validates_against_committed_schema(event_type: str) -> None:
    event = sample_event(event_type)
    errors = [e.message for e in validator(event_type).iter_errors(event)]
    assert not errors, errors
    assert validator("envelope").is_valid(event)
    model = registry.EVENT_TYPES[event_type]
    assert CloudEvent[model].model_validate(event).data == SAMPLES[event_type][0]  # type: ignore[valid-type]


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_sample_missing_a_required_field_is_rejected(event_type: str) -> None:
    schema = validator(event_type)
    model = registry.EVENT_TYPES[event_type]
    required = [name for name, field in model.model_fields.items() if field.is_required()]
    assert required, f"{event_type} has no required data field"
    for name in required:
        event = sample_event(event_type)
        del event["data"][name]
        assert not schema.is_valid(event), f"{event_type} without data.{name} passed validation"
    for name in ("id", "source", "specversion", "type", "orgcode", "data"):
        event = sample_event(event_type)
        del event[name]
        assert not schema.is_valid(event), f"{event_type} without {name} passed validation"


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_schema_pins_the_event_type(event_type: str) -> None:
    event = sample_event(event_type)
    event["type"] = re.sub(r"v\d+$", "v99", event_type)
    assert not validator(event_type).is_valid(event)


def test_event_types_are_domain_entity_action_version() -> None:
    bad = [name for name in registry.EVENT_TYPES if not TYPE_PATTERN.match(name)]
    assert not bad, f"event types not shaped <domain>.<entity>.<action>.v<N>: {bad}"


def test_type_of_names_the_type_or_demands_it() -> None:
    for name, (sample, _, _) in SAMPLES.items():
        assert registry.type_of(sample, name) == name
        shared = sum(1 for m in registry.EVENT_TYPES.values() if m is type(sample)) > 1
        if shared:
            with pytest.raises(ValueError):
                registry.type_of(sample)
        else:
            assert registry.type_of(sample) == name


def test_routing_key_carries_type_version_and_division_path() -> None:
    assert registry.routing_key("tasking.task.assigned.v1", "520102001000") == (
        "tasking.task.assigned.v1.52.01.02.001"
    )
    assert registry.routing_key("tasking.task.assigned.v1", "520102000000D03") == (
        "tasking.task.assigned.v1.52.01.02"
    )
