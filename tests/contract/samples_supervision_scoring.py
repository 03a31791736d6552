"""Sample payloads of the supervision and scoring events, for the contract tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import BaseModel

from luoshi_proto.scoring.v1 import (
    AccountabilityDecided,
    AccountabilityRef,
    ExemptionChanged,
    ExemptionRef,
    IncentiveGranted,
    IncentiveRef,
    NegativeEntryRef,
    NegativeListed,
    PointsChanged,
    PointsEntryRef,
    RankingApproved,
    RankingPublished,
    RankingRef,
    Standing,
)
from luoshi_proto.supervision.v1 import (
    ClueReceived,
    ClueRef,
    ClueTriaged,
    FindingRecorded,
    FindingRef,
    InspectionConducted,
    InspectionRef,
    InspectionReported,
    InspectionScheduled,
    ListingChanged,
    NoticePublished,
    NoticeRef,
    RectificationOrdered,
    RectificationOverdue,
    RectificationRef,
    RectificationRejected,
    RectificationReported,
    RectificationVerified,
    UrgeAnswered,
    UrgeEscalated,
    UrgeIssued,
    UrgeRef,
)
from luoshi_proto.tasking.v1 import Actor

OFFICE, COUNTY = "520100000000", "520102000000"
BY = Actor(person_id="p-520100-office", org_code=OFFICE)
AT = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
INSPECTION = InspectionRef(
    inspection_id="I-1",
    title="大数据战略行动专项督查",
    kind="special",
    inspecting_org=OFFICE,
    target_orgs=[COUNTY],
    task_ids=["T-2025-0042"],
    planned_start=date(2026, 11, 2),
    planned_end=date(2026, 11, 6),
    unannounced=False,
)
RECTIFICATION = RectificationRef(
    rectification_id="R-1",
    finding_id="F-1",
    title="台账不全",
    responsible_unit=COUNTY,
    inspecting_org=OFFICE,
    deadline=date(2026, 12, 15),
    listed=True,
)
URGE = UrgeRef(
    urge_id="U-1",
    kind="order",
    issuing_org=OFFICE,
    org_code=COUNTY,
    task_id="T-2025-0042",
    task_title="大数据战略行动",
    occurrence="2026-11-01",
    recipient_role="principal",
    level=2,
    answer_due=date(2026, 11, 5),
    answer_due_at=datetime(2026, 11, 5, 9, 0, tzinfo=UTC),
    automatic=True,
)
CLUE = ClueRef(
    clue_id="C-1", receipt_no="XS20261102001", org_code=COUNTY, category="落实不力", received_at=AT
)
ENTRY = PointsEntryRef(
    entry_id="E-1",
    org_code=COUNTY,
    period="2026Q4",
    rule_id="task_overdue_day",
    rule_version=1,
    points=-0.5,
    basis="任务超期 1 个工作日",
    source_event_id="ev-1",
)
RANKING = RankingRef(ranking_id="K-1", scope_org=OFFICE, tier="county", period="2026Q3")
EXEMPTION = ExemptionRef(
    exemption_id="X-1",
    org_code=COUNTY,
    starts_on=date(2027, 1, 1),
    ends_on=date(2027, 12, 31),
    basis="成效特别显著",
)

# event type -> (payload, orgcode, subject)
SAMPLES: dict[str, tuple[BaseModel, str, str]] = {
    "supervision.inspection.scheduled.v1": (
        InspectionScheduled(inspection=INSPECTION, by=BY, at=AT),
        COUNTY,
        "I-1",
    ),
    "supervision.inspection.conducted.v1": (
        InspectionConducted(inspection=INSPECTION, by=BY, at=AT, conducted_on=date(2026, 11, 3)),
        COUNTY,
        "I-1",
    ),
    "supervision.inspection.reported.v1": (
        InspectionReported(inspection=INSPECTION, by=BY, at=AT, findings=1),
        COUNTY,
        "I-1",
    ),
    "supervision.finding.recorded.v1": (
        FindingRecorded(
            finding=FindingRef(finding_id="F-1", title="台账不全", org_code=COUNTY, inspecting_org=OFFICE),
            by=BY,
            at=AT,
        ),
        COUNTY,
        "F-1",
    ),
    "supervision.rectification.ordered.v1": (
        RectificationOrdered(rectification=RECTIFICATION, by=BY, at=AT, requirements="补齐台账"),
        COUNTY,
        "R-1",
    ),
    "supervision.rectification.reported.v1": (
        RectificationReported(
            rectification=RECTIFICATION, by=BY, at=AT, report_id="RR-1", progress="已补齐一半"
        ),
        COUNTY,
        "R-1",
    ),
    "supervision.rectification.verified.v1": (
        RectificationVerified(rectification=RECTIFICATION, by=BY, at=AT, on_time=True),
        COUNTY,
        "R-1",
    ),
    "supervision.rectification.rejected.v1": (
        RectificationRejected(rectification=RECTIFICATION, by=BY, at=AT, reason="佐证材料不足"),
        COUNTY,
        "R-1",
    ),
    "supervision.rectification.overdue.v1": (
        RectificationOverdue(rectification=RECTIFICATION, at=AT, working_days_overdue=2),
        COUNTY,
        "R-1",
    ),
    "supervision.listing.placed.v1": (
        ListingChanged(rectification=RECTIFICATION, by=BY, at=AT),
        COUNTY,
        "R-1",
    ),
    "supervision.listing.lifted.v1": (
        ListingChanged(rectification=RECTIFICATION, by=BY, at=AT, reason="整改完成"),
        COUNTY,
        "R-1",
    ),
    "supervision.urge.issued.v1": (UrgeIssued(urge=URGE, at=AT, message="请说明超期原因"), COUNTY, "U-1"),
    "supervision.urge.answered.v1": (
        UrgeAnswered(urge=URGE, by=BY, at=AT, reason="资金未到位", plan="12 月底前完成"),
        COUNTY,
        "U-1",
    ),
    "supervision.urge.escalated.v1": (UrgeEscalated(urge=URGE, at=AT, from_role="deputy"), COUNTY, "U-1"),
    "supervision.clue.received.v1": (ClueReceived(clue=CLUE, at=AT, channel="portal"), COUNTY, "C-1"),
    "supervision.clue.triaged.v1": (
        ClueTriaged(clue=CLUE, by=BY, at=AT, outcome="inspection", target_id="I-1"),
        COUNTY,
        "C-1",
    ),
    "supervision.notice.published.v1": (
        NoticePublished(
            notice=NoticeRef(notice_id="N-1", kind="exposure", title="曝光通报", issuing_org=OFFICE),
            by=BY,
            at=AT,
        ),
        OFFICE,
        "N-1",
    ),
    "scoring.points.changed.v1": (PointsChanged(entry=ENTRY, at=AT, total=98.5), COUNTY, "E-1"),
    "scoring.negative_list.added.v1": (
        NegativeListed(
            entry=NegativeEntryRef(
                entry_id="NE-1", org_code=COUNTY, period="2026Q4", basis="未按时序进度完成"
            ),
            at=AT,
        ),
        COUNTY,
        "NE-1",
    ),
    "scoring.ranking.approved.v1": (RankingApproved(ranking=RANKING, by=BY, at=AT), OFFICE, "K-1"),
    "scoring.ranking.published.v1": (
        RankingPublished(
            ranking=RANKING, by=BY, at=AT, standings=[Standing(org_code=COUNTY, points=98.5, rank=1)]
        ),
        OFFICE,
        "K-1",
    ),
    "scoring.incentive.granted.v1": (
        IncentiveGranted(
            incentive=IncentiveRef(
                incentive_id="G-1", org_code=COUNTY, kind="funds", title="专项资金奖励", period="2026"
            ),
            by=BY,
            at=AT,
        ),
        COUNTY,
        "G-1",
    ),
    "scoring.accountability.decided.v1": (
        AccountabilityDecided(
            decision=AccountabilityRef(
                decision_id="A-1", org_code=COUNTY, basis="督查发现问题 F-1", decision="通报批评", public=True
            ),
            by=BY,
            at=AT,
        ),
        COUNTY,
        "A-1",
    ),
    "scoring.exemption.granted.v1": (ExemptionChanged(exemption=EXEMPTION, by=BY, at=AT), COUNTY, "X-1"),
    "scoring.exemption.expired.v1": (ExemptionChanged(exemption=EXEMPTION, at=AT), COUNTY, "X-1"),
}
