"""Which version of a scoring rule applies to a unit on a day. Plain functions, no I/O.

A rule version has a scope: everywhere (``scope_org`` None), a government's subtree or one department
(``scope_org``), and optionally only organisations of one level (``tier``). For a unit and a business date the
applicable version is, among those in force (``effective_from`` on or before the date) whose scope holds the
unit, the most specific scope first (a department, then the deepest government, then everywhere; a tier
narrows further), then the latest ``effective_from``, then the highest version. A new version therefore
applies from its effective date on and never touches entries already made.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from luoshi_proto.divisions import division_parts, is_within, level_of

Per = Literal["occurrence", "working_day"]


@dataclass(frozen=True)
class RuleVersion:
    code: str
    version: int
    title: str
    points: Decimal
    per: Per
    scope_org: str | None
    tier: str | None
    effective_from: date
    period_kind: Literal["quarter", "year"]


def applies_to(rule: RuleVersion, org_code: str) -> bool:
    if rule.scope_org is not None and not is_within(org_code, rule.scope_org):
        return False
    return rule.tier is None or level_of(org_code) == rule.tier


def specificity(rule: RuleVersion) -> tuple[int, int]:
    if rule.scope_org is None:
        depth = 0
    elif len(rule.scope_org) > 12:
        depth = 10  # one department
    else:
        depth = len(division_parts(rule.scope_org))
    return depth, int(rule.tier is not None)


def resolve(versions: Iterable[RuleVersion], *, code: str, org_code: str, day: date) -> RuleVersion | None:
    """The version of ``code`` that decides an occurrence of ``org_code`` on ``day`` (None: no rule)."""
    candidates = [
        v for v in versions if v.code == code and v.effective_from <= day and applies_to(v, org_code)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda v: (specificity(v), v.effective_from, v.version))


def points_for(rule: RuleVersion, quantity: int) -> Decimal:
    return (rule.points * quantity).quantize(Decimal("0.01"))


def basis_text(rule: RuleVersion, detail: str, quantity: int) -> str:
    """The human-readable basis of an entry (zh-CN): the rule, its version, the occurrence."""
    unit = f" × {quantity} 个工作日" if rule.per == "working_day" else ""
    return f"{rule.title} (规则 {rule.code} 第 {rule.version} 版, {rule.points:+} 分{unit}): {detail}"
