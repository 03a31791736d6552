"""Rules of rectification (整改) as plain functions. No I/O.

=========== ============ ==========  ==============================================
from        action       to          meaning
=========== ============ ==========  ==============================================
(finding)   order        rectifying  整改通知: leading leader, unit, deadline in working days, requirements
rectifying  report       rectifying  整改进展报告 (progress and evidence)
rectifying  submit       submitted   整改完成报告 (a final report): awaiting the office's check
submitted   verify       verified    核查销号
submitted   reject       rectifying  整改不到位 (reason required): 再督查 + 增加督查频次 + 定期报告
=========== ============ ==========  ==============================================

Overdue (逾期): the deadline passed while the item is still ``rectifying`` (a submitted item waits on the
office, not the unit). The scan raises it once per deadline (``overdue_raised_for``); like a rejection it
schedules a re-inspection (unless one is still planned), raises the unit's frequency and sets the
reporting cadence.
"""

from __future__ import annotations

from datetime import date

from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity

STATES = {"rectifying": "整改中", "submitted": "已报送·待核查", "verified": "已核查销号"}
ACTIONS = {
    "report": "报告整改进展",
    "submit": "报送整改完成",
    "verify": "核查销号",
    "reject": "整改不到位驳回",
}
TRANSITIONS = {
    ("rectifying", "report"): "rectifying",
    ("rectifying", "submit"): "submitted",
    ("submitted", "verify"): "verified",
    ("submitted", "reject"): "rectifying",
}
OFFICE_ROLES = ("principal", "deputy", "office")
"""The inspecting office side: orders, lists, verifies, rejects."""
FINDING_ROLES = ("principal", "deputy", "office", "inspector")
UNIT_ROLES = ("principal", "deputy", "handler", "office", "admin")
"""The responsible unit's people who report progress."""


def transition(state: str, action: str) -> str:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise Problem(
            409,
            "illegal-transition",
            "当前状态不允许此操作 Illegal transition",
            f"整改事项处于「{STATES.get(state, state)}」({state}), "
            f"不能「{ACTIONS.get(action, action)}」({action})",
            state=state,
            action=action,
        ) from None


def is_office_side(identity: Identity, inspecting_org: str) -> bool:
    return identity.has_any(*OFFICE_ROLES) and identity.can_see(inspecting_org)


def is_unit(identity: Identity, responsible_unit: str) -> bool:
    """The responsible unit's own people (not its superiors: they read, the unit reports)."""
    return identity.org_code == responsible_unit and identity.has_any(*UNIT_ROLES)


def is_overdue(*, state: str, deadline: date, today: date) -> bool:
    return state == "rectifying" and today > deadline


def needs_overdue_alert(*, state: str, deadline: date, raised_for: date | None, today: date) -> bool:
    return is_overdue(state=state, deadline=deadline, today=today) and raised_for != deadline


def on_time(submitted_on: date | None, deadline: date) -> bool:
    return submitted_on is not None and submitted_on <= deadline


def notice_no(year: int, serial: str) -> str:
    return f"整改通知〔{year}〕{serial}"
