from datetime import UTC, date, datetime

import pytest

from luoshi_notification.inbox.handlers import HANDLERS
from luoshi_notification.inbox.rules import DOCUMENT_RULES, TASK_RULES, task_audience, title_of
from luoshi_proto.registry import EVENT_TYPES
from luoshi_proto.tasking.v1 import (
    Actor,
    DocumentRef,
    DocumentStudyAlert,
    TaskAssigned,
    TaskDeadlineAlert,
    TaskRef,
    TaskReturned,
)

TASK = TaskRef(
    task_id="t1",
    title="推进大数据战略行动",
    issuing_org="520000000000",
    lead_unit="520102000000",
    co_units=["520103000000"],
    deadline=date(2027, 6, 30),
)
BY = Actor(person_id="p", org_code="520102000000")
AT = datetime(2027, 1, 5, 1, tzinfo=UTC)


def test_every_rule_is_for_a_registered_event_and_has_its_handler() -> None:
    assert set(TASK_RULES) | set(DOCUMENT_RULES) <= set(EVENT_TYPES)
    assert set(HANDLERS.event_types) == set(TASK_RULES) | set(DOCUMENT_RULES)


def test_overdue_reaches_the_principal_of_the_lead_unit_only() -> None:
    alert = TaskDeadlineAlert(
        task=TASK,
        occurrence="2027-06-30",
        colour="red",
        due=date(2027, 6, 30),
        working_days_left=-2,
        progress_percent=40,
        expected_percent=100,
    )
    rule = TASK_RULES["tasking.task.overdue.v1"]
    assert "principal" in rule.roles and task_audience(rule.audience, alert.task) == ["520102000000"]
    assert "推进大数据战略行动" in title_of(rule, alert) and "赶进度计划" in title_of(rule, alert)


def test_assignment_reaches_the_lead_unit_and_the_co_units() -> None:
    rule = TASK_RULES["tasking.task.assigned.v1"]
    assigned = TaskAssigned(task=TASK, by=BY, at=AT)
    assert task_audience(rule.audience, assigned.task) == ["520102000000", "520103000000"]
    assert title_of(rule, assigned) == "新交办任务: 推进大数据战略行动"


def test_lagging_warns_the_handler_and_the_deputy() -> None:
    assert set(TASK_RULES["tasking.task.lagging.v1"].roles) == {"handler", "deputy"}


def test_a_returned_task_goes_back_to_the_issuer_with_the_reason() -> None:
    returned = TaskReturned(task=TASK, by=BY, at=AT, reason="不属于本单位职责")
    rule = TASK_RULES["tasking.task.returned.v1"]
    assert task_audience(rule.audience, returned.task) == ["520000000000"]
    assert title_of(rule, returned).endswith("不属于本单位职责")


def test_a_missing_report_names_the_due_date_that_applies() -> None:
    alert = TaskDeadlineAlert(
        task=TASK,
        occurrence="2024Q1",
        colour="green",
        due=date(2024, 4, 1),
        working_days_left=0,
        progress_percent=10,
        expected_percent=10,
    )
    assert "应于 2024-04-01 前" in title_of(TASK_RULES["tasking.task.report_missing.v1"], alert)


@pytest.mark.parametrize("event_type", sorted(DOCUMENT_RULES))
def test_document_alerts_name_the_document(event_type: str) -> None:
    alert = DocumentStudyAlert(
        document=DocumentRef(document_id="d1", title="关于优化营商环境的意见", org_code="520100000000"),
        due=date(2027, 3, 5),
        stage="study",
    )
    assert "关于优化营商环境的意见" in title_of(DOCUMENT_RULES[event_type], alert)


@pytest.mark.parametrize("event_type", sorted(TASK_RULES))
def test_every_task_title_formats_with_its_payload_fields(event_type: str) -> None:
    fields = set(EVENT_TYPES[event_type].model_fields)
    template = TASK_RULES[event_type].title
    names = {part.split("}")[0].split(".")[0] for part in template.split("{")[1:]}
    assert names <= fields, (event_type, names - fields)


def test_changes_and_extensions_reach_the_right_units() -> None:
    from luoshi_proto.tasking.v1 import FieldChange, TaskExtensionDecided, TaskExtensionRequested, TaskUpdated

    moved = TASK.model_copy(update={"lead_unit": "520102001000"})
    updated = TaskUpdated(
        task=moved,
        by=BY,
        at=AT,
        reason="职能调整",
        changes=[FieldChange(field="lead_unit", before="520102000000", after="520102001000")],
    )
    rule = TASK_RULES["tasking.task.updated.v1"]
    # The new lead unit and the one it was taken from both hear of it.
    assert task_audience(rule.audience, moved, updated) == ["520102001000", "520102000000"]
    assert title_of(rule, updated) == "任务已变更: 推进大数据战略行动 — 职能调整"
    requested = TaskExtensionRequested(
        task=TASK,
        by=BY,
        at=AT,
        extension_id="e1",
        reason="征地",
        current_deadline=date(2027, 6, 30),
        requested_deadline=date(2027, 7, 31),
        working_days_added=22,
        late=False,
    )
    rule = TASK_RULES["tasking.task.extension_requested.v1"]
    assert rule.roles == ("office",) and task_audience(rule.audience, TASK, requested) == ["520000000000"]
    assert "2027-07-31" in title_of(rule, requested) and "22 个工作日" in title_of(rule, requested)
    decided = TaskExtensionDecided(
        task=TASK,
        by=BY,
        at=AT,
        extension_id="e1",
        decision="approved",
        requested_deadline=date(2027, 7, 31),
        late=False,
    )
    rule = TASK_RULES["tasking.task.extension_decided.v1"]
    assert rule.roles == ("handler",) and task_audience(rule.audience, TASK, decided) == ["520102000000"]
