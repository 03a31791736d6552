"""Who hears what: every event type of tasking, supervision and scoring, on its published sample (the same
samples the contract tests validate against the committed schemas)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from luoshi_notification.routing.handlers import HANDLERS
from luoshi_notification.routing.rules import audience, is_urgent, title_of, withheld_from
from luoshi_notification.routing.table import FORWARDED, RULES
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.registry import EVENT_TYPES
from luoshi_proto.supervision.v1 import InspectionScheduled, UrgeIssued
from tests.contract.samples_supervision_scoring import AT, BY, INSPECTION, URGE
from tests.contract.test_event_contracts import SAMPLES

L, CO, P, C = (
    "520102001000",
    "520102000000",
    "520000000000",
    "520100000000",
)  # township, county, province, city
D3, D7 = "520102000000D03", "520102000000D07"
HANDLER, OFFICE, LEADERS = {"handler"}, {"office"}, {"principal", "office"}

# event type -> (organisation -> roles that hear the sample, urgent)
EXPECTED: dict[str, tuple[dict[str, set[str]], bool]] = {
    "tasking.task.assigned.v1": ({L: HANDLER, D3: HANDLER, D7: HANDLER}, False),
    "tasking.task.accepted.v1": ({CO: OFFICE}, False),
    "tasking.task.returned.v1": ({CO: {"office", "deputy"}}, False),
    "tasking.task.progress_reported.v1": ({CO: OFFICE}, False),
    "tasking.task.completed.v1": ({CO: OFFICE}, False),
    "tasking.task.reopened.v1": ({L: HANDLER}, False),
    "tasking.task.closed.v1": ({L: HANDLER}, False),
    "tasking.task.archived.v1": ({L: HANDLER}, False),
    "tasking.task.cancelled.v1": ({L: HANDLER}, False),
    "tasking.task.updated.v1": ({L: HANDLER}, False),
    "tasking.task.extension_requested.v1": ({CO: OFFICE}, False),
    "tasking.task.extension_decided.v1": ({L: HANDLER}, False),
    "tasking.task.deadline_extended.v1": ({L: HANDLER}, False),
    "tasking.task.co_unit_confirmed.v1": ({L: HANDLER}, False),
    "tasking.ledger.entry_recorded.v1": ({}, False),
    "tasking.task.progress_rolled_up.v1": ({}, False),
    "tasking.task.due_soon.v1": ({L: HANDLER}, False),
    "tasking.task.lagging.v1": ({L: {"handler", "deputy"}}, False),
    "tasking.task.overdue.v1": ({L: {"principal", "deputy", "handler"}}, True),
    "tasking.task.report_missing.v1": ({L: HANDLER}, False),
    "tasking.document.study_due.v1": ({P: {"office", "deputy"}}, False),
    "tasking.document.study_overdue.v1": ({P: {"office", "deputy"}}, False),
    "tasking.document.report_overdue.v1": ({P: {"office", "deputy"}}, False),
    "supervision.inspection.scheduled.v1": ({CO: LEADERS}, False),
    "supervision.inspection.conducted.v1": ({CO: LEADERS}, False),
    "supervision.inspection.reported.v1": ({CO: LEADERS}, False),
    "supervision.finding.recorded.v1": ({CO: LEADERS}, False),
    "supervision.rectification.ordered.v1": ({CO: {"principal", "deputy", "handler"}}, False),
    "supervision.rectification.reported.v1": ({C: OFFICE}, False),
    "supervision.rectification.verified.v1": ({CO: {"principal", "handler"}}, False),
    "supervision.rectification.rejected.v1": ({CO: {"principal", "deputy", "handler"}}, False),
    "supervision.rectification.overdue.v1": ({CO: {"principal", "deputy"}, C: OFFICE}, True),
    "supervision.listing.placed.v1": ({CO: {"principal", "deputy"}}, True),
    "supervision.listing.lifted.v1": ({CO: {"principal", "deputy"}}, False),
    "supervision.urge.issued.v1": ({CO: {"principal"}}, True),  # a 督办 (order) to the principal
    "supervision.urge.answered.v1": ({C: OFFICE}, False),
    "supervision.urge.escalated.v1": ({CO: {"principal"}}, True),
    "supervision.clue.received.v1": ({CO: OFFICE}, False),
    "supervision.clue.triaged.v1": ({CO: OFFICE}, False),
    "supervision.notice.published.v1": ({}, False),  # the sample names no unit
    "scoring.points.changed.v1": ({CO: OFFICE}, False),
    "scoring.negative_list.added.v1": ({CO: {"principal", "deputy"}}, False),
    "scoring.ranking.approved.v1": ({C: OFFICE}, False),
    "scoring.ranking.published.v1": ({CO: LEADERS, C: OFFICE}, False),
    "scoring.incentive.granted.v1": ({CO: LEADERS}, False),
    "scoring.accountability.decided.v1": ({CO: {"principal"}}, False),
    "scoring.exemption.granted.v1": ({CO: LEADERS}, False),
    "scoring.exemption.expired.v1": ({CO: LEADERS}, False),
}


def event_of(event_type: str) -> CloudEvent[Any]:
    data, orgcode, subject = SAMPLES[event_type]
    # A deep copy: tests change the payload, and the samples share their references.
    return CloudEvent(
        source="/test", type=event_type, orgcode=orgcode, subject=subject, data=data.model_copy(deep=True)
    )


def test_every_forwarded_type_has_a_rule_a_handler_and_an_expectation() -> None:
    services = {t.split(".")[0] for t in EVENT_TYPES} - {"gateway", "notification"}
    assert set(FORWARDED) == {t for t in EVENT_TYPES if t.split(".")[0] in services}
    assert set(RULES) == set(FORWARDED) == set(EXPECTED)
    assert set(HANDLERS.event_types) == set(FORWARDED)
    for event_type, rule in RULES.items():
        assert rule.hears or rule.why_nobody, f"{event_type}: say who hears it, or why nobody does"


@pytest.mark.parametrize("event_type", sorted(EXPECTED))
def test_who_hears_each_event(event_type: str) -> None:
    event = event_of(event_type)
    rule = RULES[event_type]
    reach, urgent = EXPECTED[event_type]
    assert audience(rule, event) == reach
    assert is_urgent(rule, event.data) is urgent
    if rule.hears:
        title = title_of(rule, event.data)
        assert title and "{" not in title and len(title) <= 300


def test_an_unannounced_inspection_reaches_only_the_inspecting_office_until_conducted() -> None:
    secret = INSPECTION.model_copy(update={"unannounced": True, "kind": "unannounced"})
    scheduled = CloudEvent(
        source="/t",
        type="supervision.inspection.scheduled.v1",
        orgcode=C,  # published under the inspecting office's key
        data=InspectionScheduled(inspection=secret, by=BY, at=AT),
    )
    rule = RULES[scheduled.type]
    assert audience(rule, scheduled) == {C: {"office", "inspector"}}
    assert withheld_from(scheduled) == [CO]
    # Whoever inspects, nobody inside the target's subtree (here a department of the county) hears it early.
    inner = secret.model_copy(update={"inspecting_org": D3})
    inner_event = scheduled.model_copy(update={"data": InspectionScheduled(inspection=inner, by=BY, at=AT)})
    assert audience(rule, inner_event) == {}
    conducted = event_of("supervision.inspection.conducted.v1")
    conducted.data.inspection.unannounced = True
    assert withheld_from(conducted) == [] and audience(RULES[conducted.type], conducted) == {CO: LEADERS}


def test_an_urge_escalated_to_the_superior_office_reaches_the_issuing_office() -> None:
    urge = URGE.model_copy(update={"recipient_role": "office", "kind": "urge", "level": 3})
    event = CloudEvent(
        source="/t",
        type="supervision.urge.issued.v1",
        orgcode=CO,
        data=UrgeIssued(urge=urge, at=AT, message="请说明原因"),
    )
    rule = RULES[event.type]
    assert audience(rule, event) == {C: OFFICE}
    assert not is_urgent(rule, event.data)  # a 催办, not a 督办
    assert title_of(rule, event.data).startswith("催办: 请说明原因")
    assert str(date(2026, 11, 5)) in title_of(rule, event.data)


def test_no_webhook_subscriber_gets_an_unannounced_inspection_before_it_is_conducted() -> None:
    from luoshi_notification.webhooks.rules import receives

    # As supervision publishes it: under the inspecting office, without its (secret) targets.
    secret = INSPECTION.model_copy(update={"unannounced": True, "kind": "unannounced", "target_orgs": []})
    scheduled = CloudEvent(
        source="/t",
        type="supervision.inspection.scheduled.v1",
        orgcode=C,
        data=InspectionScheduled(inspection=secret, by=BY, at=AT),
    )
    for scope in (P, C):
        assert not receives(scope, [], scheduled)
    assert audience(RULES[scheduled.type], scheduled) == {C: {"office", "inspector"}}
    announced = scheduled.model_copy(
        update={"data": InspectionScheduled(inspection=INSPECTION, by=BY, at=AT)}
    )
    assert receives(P, ["supervision.*"], announced) and not receives(P, ["tasking.*"], announced)
    conducted = event_of("supervision.inspection.conducted.v1")
    conducted.data.inspection.unannounced = True
    assert (
        receives(P, [], conducted)
        and receives(CO, [], conducted)
        and not receives("520300000000", [], conducted)
    )
