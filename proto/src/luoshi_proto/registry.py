"""Event type <-> pydantic model <-> routing key: the one table producers and consumers share."""

from __future__ import annotations

from pydantic import BaseModel

from luoshi_proto.divisions import division_path
from luoshi_proto.gateway.v1 import OrgTreeAnnounced, OrgUpserted, PersonUpserted
from luoshi_proto.notification.v1 import MessageDelivered, MessageFailed
from luoshi_proto.scoring.v1 import (
    AccountabilityDecided,
    ExemptionChanged,
    IncentiveGranted,
    NegativeListed,
    PointsChanged,
    RankingApproved,
    RankingPublished,
)
from luoshi_proto.supervision.v1 import (
    ClueReceived,
    ClueTriaged,
    FindingRecorded,
    InspectionConducted,
    InspectionReported,
    InspectionScheduled,
    ListingChanged,
    NoticePublished,
    RectificationOrdered,
    RectificationOverdue,
    RectificationRejected,
    RectificationReported,
    RectificationVerified,
    UrgeAnswered,
    UrgeEscalated,
    UrgeIssued,
)
from luoshi_proto.tasking.v1 import (
    DocumentStudyAlert,
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
    TaskReturned,
    TaskStateChanged,
    TaskUpdated,
)

EXCHANGE = "luoshi.events"

EVENT_TYPES: dict[str, type[BaseModel]] = {
    "gateway.org.upserted.v1": OrgUpserted,
    "gateway.org.tree_announced.v1": OrgTreeAnnounced,
    "gateway.person.upserted.v1": PersonUpserted,
    "tasking.task.assigned.v1": TaskAssigned,
    "tasking.task.accepted.v1": TaskAccepted,
    "tasking.task.returned.v1": TaskReturned,
    "tasking.task.progress_reported.v1": TaskProgressReported,
    "tasking.task.progress_rolled_up.v1": TaskProgressRolledUp,
    "tasking.task.completed.v1": TaskStateChanged,
    "tasking.task.reopened.v1": TaskStateChanged,
    "tasking.task.closed.v1": TaskStateChanged,
    "tasking.task.archived.v1": TaskStateChanged,
    "tasking.task.cancelled.v1": TaskStateChanged,
    "tasking.task.updated.v1": TaskUpdated,
    "tasking.task.extension_requested.v1": TaskExtensionRequested,
    "tasking.task.extension_decided.v1": TaskExtensionDecided,
    "tasking.task.deadline_extended.v1": TaskDeadlineExtended,
    "tasking.task.co_unit_confirmed.v1": TaskCoUnitConfirmed,
    "tasking.ledger.entry_recorded.v1": LedgerEntryRecorded,
    "tasking.task.due_soon.v1": TaskDeadlineAlert,
    "tasking.task.lagging.v1": TaskDeadlineAlert,
    "tasking.task.overdue.v1": TaskDeadlineAlert,
    "tasking.task.report_missing.v1": TaskDeadlineAlert,
    "tasking.document.study_due.v1": DocumentStudyAlert,
    "tasking.document.study_overdue.v1": DocumentStudyAlert,
    "tasking.document.report_overdue.v1": DocumentStudyAlert,
    "supervision.inspection.scheduled.v1": InspectionScheduled,
    "supervision.inspection.conducted.v1": InspectionConducted,
    "supervision.inspection.reported.v1": InspectionReported,
    "supervision.finding.recorded.v1": FindingRecorded,
    "supervision.rectification.ordered.v1": RectificationOrdered,
    "supervision.rectification.reported.v1": RectificationReported,
    "supervision.rectification.verified.v1": RectificationVerified,
    "supervision.rectification.rejected.v1": RectificationRejected,
    "supervision.rectification.overdue.v1": RectificationOverdue,
    "supervision.listing.placed.v1": ListingChanged,
    "supervision.listing.lifted.v1": ListingChanged,
    "supervision.urge.issued.v1": UrgeIssued,
    "supervision.urge.answered.v1": UrgeAnswered,
    "supervision.urge.escalated.v1": UrgeEscalated,
    "supervision.clue.received.v1": ClueReceived,
    "supervision.clue.triaged.v1": ClueTriaged,
    "supervision.notice.published.v1": NoticePublished,
    "scoring.points.changed.v1": PointsChanged,
    "scoring.negative_list.added.v1": NegativeListed,
    "scoring.ranking.approved.v1": RankingApproved,
    "scoring.ranking.published.v1": RankingPublished,
    "scoring.incentive.granted.v1": IncentiveGranted,
    "scoring.accountability.decided.v1": AccountabilityDecided,
    "scoring.exemption.granted.v1": ExemptionChanged,
    "scoring.exemption.expired.v1": ExemptionChanged,
    "notification.message.delivered.v1": MessageDelivered,
    "notification.message.failed.v1": MessageFailed,
}

# A model used by exactly one type names it; shared models need the type spelled out (see type_of).
MODEL_TYPES: dict[type[BaseModel], str] = {
    model: name
    for name, model in EVENT_TYPES.items()
    if sum(1 for m in EVENT_TYPES.values() if m is model) == 1
}


def type_of(model: BaseModel, event_type: str | None = None) -> str:
    """The event type of ``model``; a model shared by several types needs ``event_type`` given."""
    if event_type is not None:
        if EVENT_TYPES.get(event_type) is not type(model):
            raise ValueError(f"{type(model).__name__} is not the payload of {event_type}")
        return event_type
    try:
        return MODEL_TYPES[type(model)]
    except KeyError:
        raise ValueError(f"{type(model).__name__} serves several event types: name one") from None


def routing_key(event_type: str, orgcode: str) -> str:
    """``tasking.task.assigned.v1.52.01.02``: the type, its version, then the division path."""
    return f"{event_type}.{division_path(orgcode)}"


SCHEMA_BASE = "https://luoshi.example/schemas/"


def schema_path(event_type: str) -> str:
    """The ``$id`` of the event's committed JSON Schema (proto/jsonschema/<type>.json)."""
    return f"{SCHEMA_BASE}{event_type}.json"
