"""Rules of urges (催办) and supervision orders (督办): the responsibility chain, answer deadlines in
working hours, who may do what. Plain functions, no I/O.

The chain an unanswered urge climbs, one step each time its answer is overdue (each step once):
承办人 (handler) → 分管负责同志 (deputy) → 主要负责同志 (principal) → 上级督查室 (office of the issuing
government). An automatic urge of a lagging task starts at the handler; an automatic supervision order
of an overdue task starts at the principal (the seed asks the principal to explain the reason and the
catch-up measures, 说明原因和整改措施). The top step waits for its answer; nothing climbs past it.

Working hours: a working day (``luoshi_kit.workcalendar``: 法定节假日 and 调休) counts from 09:00 to 17:00
Asia/Shanghai (8 working hours); an answer window of 16 working hours given on Friday 15:00 ends on
Tuesday 15:00 (2 h on Friday, 8 on Monday, 6 on Tuesday).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal

from fastapi import Depends

from luoshi_kit.identity import Identity
from luoshi_kit.permissions import require_roles
from luoshi_kit.timebase import BUSINESS_TZ, business_midnight
from luoshi_kit.workcalendar import WorkCalendar
from luoshi_proto.supervision.v1 import UrgeKind, UrgeRole

UrgeState = Literal["open", "answered", "closed"]  # 待答复 / 已答复 / 任务已办结 (无需答复)
CHAIN: tuple[UrgeRole, ...] = ("handler", "deputy", "principal", "office")
CHAIN_ZH: dict[UrgeRole, str] = {
    "handler": "承办人",
    "deputy": "分管负责同志",
    "principal": "主要负责同志",
    "office": "上级督查室",
}
KIND_ZH: dict[UrgeKind, str] = {"urge": "催办", "order": "督办"}
TOP_LEVEL = len(CHAIN) - 1
START_LEVEL: dict[UrgeKind, int] = {"urge": 0, "order": 2}

DAY_START = time(9, 0)
DAY_END = time(17, 0)
WORKING_MINUTES_PER_DAY = 8 * 60

ISSUING_ROLES = ("office", "principal", "deputy")
ISSUE_DENIED = (
    "只有督查室、主要负责同志或分管负责同志可以催办督办 Only an office, principal or deputy issues urges"
)
Issuer = Annotated[Identity, Depends(require_roles(*ISSUING_ROLES, detail=ISSUE_DENIED))]
ANSWERING_ROLES = ("handler", "deputy", "principal", "office")
ANSWER_DENIED = "只有被催办单位的人员可以答复 Only the urged unit answers"


def may_answer(identity: Identity, org_code: str) -> bool:
    """The urged unit's own people answer (checked once the urge is loaded: a guessed id is 404 first)."""
    return identity.org_code == org_code and identity.has_any(*ANSWERING_ROLES)


def start_level(kind: UrgeKind) -> int:
    return START_LEVEL[kind]


def role_at(level: int) -> UrgeRole:
    return CHAIN[level]


def next_level(level: int) -> int | None:
    """The step above ``level``, or None at the top (上级督查室)."""
    return level + 1 if level < TOP_LEVEL else None


def add_working_hours(start: datetime, hours: float, cal: WorkCalendar) -> datetime:
    """The instant ``hours`` working hours after ``start`` (UTC out; a naive ``start`` is UTC).

    Time outside working hours (nights, weekends, holidays) does not count; a start outside them counts
    from the next working day's 09:00. Zero hours gives ``start`` itself."""
    minutes = round(hours * 60)
    if minutes <= 0:
        return _utc(start)
    local = _utc(start).astimezone(BUSINESS_TZ)
    day, clock = local.date(), local.timetz().replace(tzinfo=None)
    while True:
        if not cal.is_workday(day) or clock >= DAY_END:
            day, clock = cal.next_workday(day + timedelta(days=1)), DAY_START
            continue
        clock = max(clock, DAY_START)
        opened = datetime.combine(day, clock, tzinfo=BUSINESS_TZ)
        available = int((datetime.combine(day, DAY_END, tzinfo=BUSINESS_TZ) - opened).total_seconds() // 60)
        if minutes <= available:
            return _utc(opened + timedelta(minutes=minutes))
        minutes -= available
        day, clock = cal.next_workday(day + timedelta(days=1)), DAY_START


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def due_at_end_of(day: date) -> datetime:
    """A hand-given answer date means "by the end of that business day"."""
    return business_midnight(day + timedelta(days=1))


def due_date(due_at: datetime) -> date:
    """The business date an answer is due on (an instant at midnight belongs to the day before)."""
    local = _utc(due_at).astimezone(BUSINESS_TZ)
    if local.timetz().replace(tzinfo=None) == time(0, 0):
        return local.date() - timedelta(days=1)
    return local.date()


def escalation_due(*, state: UrgeState, level: int, answer_due_at: datetime, now: datetime) -> bool:
    """An open urge whose answer is overdue climbs one step, unless it is at the top already."""
    return state == "open" and level < TOP_LEVEL and _utc(now) >= _utc(answer_due_at)


def automatic_message(kind: UrgeKind, title: str, due: date) -> str:
    if kind == "order":
        return (
            f"任务「{title}」已超过完成时限 {due.isoformat()}, 请主要负责同志说明原因和整改措施"
            f" (督办 supervision order: explain the reason and the catch-up measures)"
        )
    return (
        f"任务「{title}」进度滞后于序时进度 (完成时限 {due.isoformat()}), 请承办人说明原因和赶进度计划"
        f" (催办 urge: explain the reason and the plan to catch up)"
    )
