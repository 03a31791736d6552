from datetime import UTC, date, datetime

import pytest

from luoshi_notification.inbox.rules import RULES, recipient_units, title_of
from luoshi_proto.registry import EVENT_TYPES
from luoshi_proto.tasking.v1 import Actor, DocumentStudyAlert, TaskDeadlineAlert, TaskRef, TaskReturned

TASK = TaskRef(
    task_id="t1",
    title="推进大数据战略行动",
    issuing_org="520000000000",
    lead_unit="520102000000",
    deadline=date(2027, 6, 30),
)


def test_every_rule_is_for_a_registered_event() -> None:
    assert set(RULES) <= set(EVENT_TYPES)


def test_overdue_reaches_the_principal_of_the_lead_unit() -> None:
    alert = TaskDeadlineAlert(
        task=TASK,
        occurrence="2027-06-30",
        colour="red",
        due=date(2027, 6, 30),
        working_days_left=-2,
        progress_percent=40,
        expected_percent=100,
    )
    rule = RULES["tasking.task.overdue.v1"]
    data = alert.model_dump(mode="json")
    assert "principal" in rule.roles and recipient_units(rule, data, "520102000000") == ["520102000000"]
    assert "推进大数据战略行动" in title_of(rule, data) and "赶进度计划" in title_of(rule, data)


def test_lagging_warns_the_handler_and_the_deputy() -> None:
    assert set(RULES["tasking.task.lagging.v1"].roles) == {"handler", "deputy"}


def test_a_returned_task_goes_back_to_the_issuer_with_the_reason() -> None:
    returned = TaskReturned(
        task=TASK,
        by=Actor(person_id="p", org_code="520102000000"),
        at=datetime(2027, 1, 5, 1, 0, tzinfo=UTC),
        reason="不属于本单位职责",
    )
    rule = RULES["tasking.task.returned.v1"]
    data = returned.model_dump(mode="json")
    assert recipient_units(rule, data, "520102000000") == ["520000000000"]
    assert title_of(rule, data).endswith("不属于本单位职责")


@pytest.mark.parametrize("event_type", [t for t in RULES if t.startswith("tasking.document.")])
def test_document_alerts_reach_the_studying_organisation(event_type: str) -> None:
    alert = DocumentStudyAlert(
        document_id="d1",
        title="关于优化营商环境的意见",
        org_code="520100000000",
        due=date(2027, 3, 5),
        stage="study",
    )
    rule = RULES[event_type]
    assert recipient_units(rule, alert.model_dump(mode="json"), "520100000000") == ["520100000000"]
