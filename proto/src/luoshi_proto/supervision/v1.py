"""Events the supervision service publishes (督查督办): inspections, findings, rectification, listed
supervision, urging, public clues and published notices.

Same shape as every Luoshi event (docs/conventions.md): the entity as a nested reference, ``by`` (absent when
the system raised it), ``at``, then what is particular to the event.

**Unannounced inspections (暗访).** Until it is conducted, every event of an unannounced inspection is
published with the *inspecting office's* organisation code as ``orgcode`` (so its routing key lies in the
office's subtree, never the target's) and consumers must not tell the target; from ``conducted`` on, events
carry the target.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from luoshi_proto.divisions import CODE_PATTERN
from luoshi_proto.tasking.v1 import Actor

InspectionKind = Literal[
    "special",  # 专项督查
    "cross",  # 交叉督查
    "unannounced",  # 暗访督查
    "follow_up",  # 回访督查
    "onsite",  # 领导带队现场督查
    "representatives",  # 两代表一委员现场督查
    "third_party",  # 第三方评估
    "re_inspection",  # 再督查
]
UrgeKind = Literal["urge", "order"]  # 催办 / 督办
ClueOutcome = Literal["finding", "inspection", "referral", "dismissed"]
NoticeKind = Literal["exposure", "commendation"]  # 曝光 / 宣传典型


class InspectionRef(BaseModel):
    inspection_id: str
    title: str
    kind: InspectionKind
    inspecting_org: str = Field(pattern=CODE_PATTERN, description="组织督查的单位 (督查室)")
    target_orgs: list[str] = Field(default_factory=list, description="被督查单位")
    task_ids: list[str] = Field(default_factory=list, description="督查涉及的重点任务")
    planned_start: date
    planned_end: date
    unannounced: bool = Field(description="暗访: invisible to the targets until conducted")


class InspectionEvent(BaseModel):
    """Base of every inspection event."""

    inspection: InspectionRef


class InspectionScheduled(InspectionEvent):
    """supervision.inspection.scheduled.v1 — an inspection was planned (督查安排); ``by`` is absent for a
    re-inspection (再督查) the system scheduled itself (an overdue rectification)."""

    by: Actor | None = None
    at: datetime


class InspectionConducted(InspectionEvent):
    """supervision.inspection.conducted.v1 — the inspection was carried out (实施督查); an unannounced one
    becomes visible to its targets from here on."""

    by: Actor
    at: datetime
    conducted_on: date


class InspectionReported(InspectionEvent):
    """supervision.inspection.reported.v1 — the inspection report was filed (督查报告)."""

    by: Actor
    at: datetime
    findings: int = Field(ge=0)


class FindingRef(BaseModel):
    finding_id: str
    title: str
    org_code: str = Field(pattern=CODE_PATTERN, description="问题所在单位 (责任单位)")
    inspection_id: str | None = None
    task_id: str | None = None
    inspecting_org: str = Field(pattern=CODE_PATTERN)


class FindingRecorded(BaseModel):
    """supervision.finding.recorded.v1 — a finding (问题) was recorded."""

    finding: FindingRef
    by: Actor
    at: datetime


class RectificationRef(BaseModel):
    rectification_id: str
    finding_id: str
    title: str
    responsible_unit: str = Field(pattern=CODE_PATTERN, description="整改责任单位")
    inspecting_org: str = Field(pattern=CODE_PATTERN)
    leading_leader: str | None = Field(default=None, description="整改牵头领导 (person id)")
    task_id: str | None = None
    deadline: date
    listed: bool = Field(default=False, description="挂牌督办")


class RectificationEvent(BaseModel):
    """Base of every rectification and listing event."""

    rectification: RectificationRef


class RectificationOrdered(RectificationEvent):
    """supervision.rectification.ordered.v1 — a rectification item and its notice (整改通知) were issued."""

    by: Actor
    at: datetime
    requirements: str


class RectificationReported(RectificationEvent):
    """supervision.rectification.reported.v1 — the unit reported rectification progress (整改情况报告)."""

    by: Actor
    at: datetime
    report_id: str
    progress: str


class RectificationVerified(RectificationEvent):
    """supervision.rectification.verified.v1 — the inspecting office verified it (整改销号)."""

    by: Actor
    at: datetime
    on_time: bool


class RectificationRejected(RectificationEvent):
    """supervision.rectification.rejected.v1 — rejected (整改不到位); a re-inspection follows."""

    by: Actor
    at: datetime
    reason: str


class RectificationOverdue(RectificationEvent):
    """supervision.rectification.overdue.v1 — the deadline passed unverified (raised once)."""

    at: datetime
    working_days_overdue: int = Field(ge=0)


class ListingChanged(RectificationEvent):
    """supervision.listing.placed.v1 / lifted.v1 — listed supervision (挂牌督办) put on or lifted."""

    by: Actor
    at: datetime
    reason: str | None = None


UrgeRole = Literal["handler", "deputy", "principal", "office"]
"""The responsibility chain an unanswered urge climbs: 承办人 → 分管负责同志 → 主要负责同志 → 上级督查室."""


class UrgeRef(BaseModel):
    urge_id: str
    kind: UrgeKind
    issuing_org: str = Field(pattern=CODE_PATTERN, description="催办/督办单位")
    org_code: str = Field(pattern=CODE_PATTERN, description="被催办单位")
    task_id: str | None = None
    task_title: str | None = Field(default=None, description="the task's title, when it concerns a task")
    occurrence: str | None = Field(
        default=None, description="the task alert's occurrence it answers (automatic ones only)"
    )
    recipient_role: UrgeRole = Field(description="handler / deputy / principal / office (上级督查室)")
    level: int = Field(
        ge=0,
        le=3,
        description="position in the chain: 0 承办人, 1 分管负责同志, 2 主要负责同志, 3 上级督查室",
    )
    answer_due: date = Field(description="答复期限 (business date, Asia/Shanghai)")
    answer_due_at: datetime = Field(description="答复期限 as an instant (working hours counted), UTC")
    automatic: bool = Field(description="raised from a task's lagging/overdue event, not by hand")


class UrgeEvent(BaseModel):
    """Base of every urge and supervision-order event."""

    urge: UrgeRef


class UrgeIssued(UrgeEvent):
    """supervision.urge.issued.v1 — an urge (催办) or supervision order (督办) was issued."""

    by: Actor | None = None
    at: datetime
    message: str


class UrgeAnswered(UrgeEvent):
    """supervision.urge.answered.v1 — the answer: the reason and the catch-up plan (说明原因, 赶进度计划)."""

    by: Actor
    at: datetime
    reason: str
    plan: str


class UrgeEscalated(UrgeEvent):
    """supervision.urge.escalated.v1 — unanswered in time: raised one step along the responsibility chain
    (承办人 → 分管负责同志 → 主要负责同志 → 上级督查室)."""

    at: datetime
    from_role: UrgeRole


class ClueRef(BaseModel):
    """A public clue (线索) without the reporter's personal data."""

    clue_id: str
    receipt_no: str
    org_code: str = Field(pattern=CODE_PATTERN, description="线索涉及的单位")
    category: str
    received_at: datetime


class ClueReceived(BaseModel):
    """supervision.clue.received.v1 — a public clue came in (群众线索)."""

    clue: ClueRef
    at: datetime
    channel: str = Field(description="portal / wechat / media / …")


class ClueTriaged(BaseModel):
    """supervision.clue.triaged.v1 — the office decided what the clue becomes."""

    clue: ClueRef
    by: Actor
    at: datetime
    outcome: ClueOutcome
    target_id: str | None = Field(default=None, description="the finding / inspection created or referred to")
    reason: str | None = None


class NoticeRef(BaseModel):
    notice_id: str
    kind: NoticeKind
    title: str
    issuing_org: str = Field(pattern=CODE_PATTERN)
    org_codes: list[str] = Field(default_factory=list, description="单位 named in the notice")
    corrects: str | None = Field(default=None, description="the notice this one corrects")


class NoticePublished(BaseModel):
    """supervision.notice.published.v1 — an exposure or commendation notice was published (曝光/宣传典型)."""

    notice: NoticeRef
    by: Actor
    at: datetime
