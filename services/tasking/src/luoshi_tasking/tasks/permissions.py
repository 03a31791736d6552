"""Who may do what to a task (权限表).

A person acts for exactly one organisation (``identity.org_code``). Three sides of a task:

- issuer side (交办方): the person's organisation *is* ``task.issuing_org``. A superior of the
  issuer sees the task but does not act for the issuer.
- lead side (牵头方): the person's organisation *is* ``task.lead_unit``. The government above it
  sees the task; it acts through the issuer side if it issued it, otherwise not at all.
- co-unit side (协办方): the person's organisation is one of ``task.co_units`` (for
  ``/co-units/{code}/confirm``: exactly ``{code}``).

==================== ===================== ==========================================
action               side                  roles
==================== ===================== ==========================================
accept 签收           lead                  principal, deputy, office, handler, admin
return 退回           lead                  principal, deputy, office, handler, admin
complete 报请复核      lead                  principal, deputy, office, handler, admin
report 落实反馈        lead or co-unit       principal, deputy, office, handler, admin
decompose 分解         lead                  principal, deputy, office, admin
confirm 协办确认       co-unit (that one)    principal, deputy, office, handler, admin
ledger entry 台账记录  the ledger's unit     principal, deputy, office, handler, admin
reassign 重新交办      issuer                principal, deputy, office, admin
cancel 撤销           issuer                principal, deputy, office, admin
reject/close 复核      issuer                principal, deputy, office, admin
archive 办结归档       issuer                principal, deputy, office, admin
update 任务变更        issuer                principal, deputy, office, admin
extension 延期申请     lead                  principal, deputy, office, handler, admin
decide 延期审批        issuer                principal, deputy, office, admin
==================== ===================== ==========================================

Handlers (具体承办人) carry out and report work but do not assign, decompose or review.
A person who cannot see the task gets 404 (the task is not revealed); a person who sees it but
is on the wrong side or lacks the role gets 403 and nothing is written.
"""

from __future__ import annotations

from typing import Literal

from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_tasking.tasks.models import Task

Side = Literal["issuer", "lead", "co_unit", "lead_or_co_unit"]

WORKING_ROLES = ("principal", "deputy", "office", "handler", "admin")
DIRECTING_ROLES = ("principal", "deputy", "office", "admin")

PERMISSIONS: dict[str, tuple[Side, tuple[str, ...]]] = {
    "accept": ("lead", WORKING_ROLES),
    "return": ("lead", WORKING_ROLES),
    "complete": ("lead", WORKING_ROLES),
    "report": ("lead_or_co_unit", WORKING_ROLES),
    "decompose": ("lead", DIRECTING_ROLES),
    "confirm": ("co_unit", WORKING_ROLES),
    "reassign": ("issuer", DIRECTING_ROLES),
    "cancel": ("issuer", DIRECTING_ROLES),
    "reject": ("issuer", DIRECTING_ROLES),
    "close": ("issuer", DIRECTING_ROLES),
    "archive": ("issuer", DIRECTING_ROLES),
    "update": ("issuer", DIRECTING_ROLES),
    "change_lead": ("issuer", DIRECTING_ROLES),
    "request_extension": ("lead", WORKING_ROLES),
    "decide_extension": ("issuer", DIRECTING_ROLES),
}

_SIDE_NAMES = {
    "issuer": "交办单位",
    "lead": "牵头单位",
    "co_unit": "协办单位",
    "lead_or_co_unit": "牵头单位或协办单位",
}


def on_side(identity: Identity, task: Task, side: Side) -> bool:
    org = identity.org_code
    if side == "issuer":
        return org == task.issuing_org
    if side == "lead":
        return org == task.lead_unit
    if side == "co_unit":
        return org in task.co_units
    return org == task.lead_unit or org in task.co_units


def require(identity: Identity, task: Task, action: str) -> None:
    """403 unless ``identity`` may do ``action`` to ``task`` (the caller already made sure it sees it)."""
    side, roles = PERMISSIONS[action]
    if not on_side(identity, task, side):
        raise Problem(
            403, "forbidden", "无权操作 Forbidden", f"只有{_SIDE_NAMES[side]}可以执行此操作 ({action})"
        )
    if not identity.has_any(*roles):
        raise Problem(
            403, "forbidden", "无权操作 Forbidden", f"此操作 ({action}) 需要以下角色之一: {', '.join(roles)}"
        )
