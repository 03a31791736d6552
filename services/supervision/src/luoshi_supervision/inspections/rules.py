"""Rules of inspections (督查) as plain functions: kinds, the lifecycle table, who sees an inspection, what a
plan must hold. No I/O.

Lifecycle:

=========== ========= ==========  ==============================================
from        action    to          meaning
=========== ========= ==========  ==============================================
(new)       schedule  planned     督查安排 (an annual plan's routine item, or ad hoc)
planned     conduct   conducted   实施督查: the conducted record; 暗访 becomes visible to its targets
conducted   report    reported    督查报告 (第三方评估: the assessor's report)
planned     cancel    cancelled   撤销 (reason required)
=========== ========= ==========  ==============================================
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Literal

from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_proto.divisions import is_below, is_within

KINDS: dict[str, str] = {
    "special": "专项督查",
    "cross": "交叉督查",
    "unannounced": "暗访督查",
    "follow_up": "回访督查",
    "onsite": "领导带队现场督查",
    "representatives": "两代表一委员现场督查",
    "third_party": "第三方评估",
    "re_inspection": "再督查",
}
SubjectKind = Literal["decision", "document", "tasks", "theme"]  # 决策部署 / 文件 / 重点任务 / 专题
MemberRole = Literal["inspector", "leader", "representative", "assessor"]

STATES: dict[str, str] = {
    "planned": "已安排",
    "conducted": "已实施",
    "reported": "已报告",
    "cancelled": "已撤销",
}
ACTIONS: dict[str, str] = {"conduct": "实施督查", "report": "督查报告", "cancel": "撤销"}
TRANSITIONS: dict[tuple[str, str], str] = {
    ("planned", "conduct"): "conducted",
    ("conducted", "report"): "reported",
    ("planned", "cancel"): "cancelled",
}

ORGANISING_ROLES = ("principal", "deputy", "office")
"""Who organises inspections for their organisation (督查室 and the leaders)."""
INSPECTING_ROLES = ("principal", "deputy", "office", "inspector")
"""Who acts for the inspecting side (conducts, records findings, reports)."""
OUTSIDE_ROLES = frozenset({"assessor", "representative"})
"""People who see only the inspections they are members of (第三方评估, 两代表一委员)."""


def transition(state: str, action: str) -> str:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise Problem(
            409,
            "illegal-transition",
            "当前状态不允许此操作 Illegal transition",
            f"督查处于「{STATES.get(state, state)}」({state}), "
            f"不能「{ACTIONS.get(action, action)}」({action})",
            state=state,
            action=action,
        ) from None


def subject_key(subject_kind: str, subject: str) -> str:
    """The subject as compared for overlaps: kind, then the text without spaces, case folded."""
    compact = re.sub(r"\s+", "", subject).casefold()
    return f"{subject_kind}:{compact}"[:200]


def is_routine(kind: str, clue_id: str | None) -> bool:
    """Routine inspections count against the burden cap; 暗访, clue-driven and 再督查 are excepted."""
    return kind not in ("unannounced", "re_inspection") and clue_id is None


def exemption_blocks(kind: str, clue_id: str | None) -> bool:
    """免督查 refuses every inspection of an exempt unit except a clue-driven 暗访 and a 再督查."""
    if kind == "re_inspection":
        return False
    return not (kind == "unannounced" and clue_id is not None)


def hidden_from_targets(*, unannounced: bool, conducted: bool) -> bool:
    """暗访: the inspected units see nothing of it until it is conducted (a cancelled one never)."""
    return unannounced and not conducted


def only_outside_roles(identity: Identity) -> bool:
    return bool(identity.roles) and set(identity.roles) <= OUTSIDE_ROLES


def may_see(
    identity: Identity,
    *,
    inspecting_org: str,
    targets: Iterable[str],
    members: Iterable[str],
    unannounced: bool,
    conducted: bool,
) -> bool:
    """Who sees an inspection: its team; the inspecting organisation's subtree side (the office and those
    above it); the targets' side once it is announced (暗访: once conducted). Assessors and representatives
    see only what they are members of."""
    if identity.person_id in set(members):
        return True
    if only_outside_roles(identity):
        return False
    if identity.can_see(inspecting_org):
        return True
    if hidden_from_targets(unannounced=unannounced, conducted=conducted):
        return False
    return any(identity.can_see(t) for t in targets)


def is_inspecting_side(identity: Identity, inspecting_org: str) -> bool:
    return identity.has_any(*INSPECTING_ROLES) and identity.can_see(inspecting_org)


def plan_errors(
    *,
    kind: str,
    organiser: str,
    targets: list[str],
    task_ids: list[str],
    inspector_units: list[str],
    leader_id: str | None,
    member_roles: list[str],
    planned_start: date,
    planned_end: date,
    today: date,
) -> list[str]:
    """What is wrong with an inspection's plan (empty when it holds). Scope (404) is checked before."""
    errors: list[str] = []
    if not targets and not task_ids:
        errors.append("须指定被督查单位或任务 targets (organisations and/or tasks) are required")
    own = [t for t in targets if not is_below(t, organiser)]
    if own:
        errors.append(f"被督查单位须为本单位的下级 targets must lie below the organiser: {', '.join(own)}")
    if planned_end < planned_start:
        errors.append("计划结束日期早于开始日期 planned_end is before planned_start")
    if planned_end < today:
        errors.append("计划结束日期已过 planned_end lies in the past")
    if kind == "cross":
        if not inspector_units:
            errors.append("交叉督查须指定派出督查人员的单位 cross inspection needs inspector_units")
        for unit in inspector_units:
            mine = [t for t in targets if is_within(t, unit) or is_within(unit, t)]
            if mine:
                errors.append(
                    f"交叉督查不得督查本单位 inspectors of {unit} may not inspect their own unit: "
                    + ", ".join(mine)
                )
    elif inspector_units:
        errors.append("inspector_units 仅适用于交叉督查 only a cross inspection has inspector_units")
    if kind == "onsite" and not leader_id:
        errors.append("领导带队现场督查须指定带队领导 an on-site inspection needs leader_id")
    if kind == "representatives" and "representative" not in member_roles:
        errors.append("两代表一委员现场督查须邀请代表或委员 invite at least one representative")
    if kind == "third_party" and "assessor" not in member_roles:
        errors.append("第三方评估须指定评估机构人员 a third-party assessment needs an assessor")
    if kind != "third_party" and "assessor" in member_roles:
        errors.append("第三方评估人员只参加第三方评估 assessors join third-party assessments only")
    return errors


def invalid(errors: list[str]) -> Problem:
    return Problem(
        422, "invalid-inspection", "督查安排有误 Invalid inspection", "; ".join(errors), errors=errors
    )
