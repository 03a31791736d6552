"""Business rules of tasks, as plain functions."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends

from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.permissions import require_roles
from luoshi_kit.scope import require_in_scope
from luoshi_proto.divisions import is_below

ASSIGNING_ROLES = ("principal", "deputy", "office", "admin")
ASSIGN_DENIED = "只有主要负责同志、分管负责同志、督查室可交办任务"
Assigner = Annotated[Identity, Depends(require_roles(*ASSIGNING_ROLES, detail=ASSIGN_DENIED))]
"""A caller who may assign work (交办): the role half of ``check_can_assign``, for routes."""


def check_can_assign(identity: Identity, units: list[str]) -> None:
    """交办 goes down only: every unit must lie strictly below the assigner's organisation."""
    if not identity.has_any(*ASSIGNING_ROLES):
        raise Problem(403, "forbidden", "无权交办 Not allowed to assign", ASSIGN_DENIED)
    require_in_scope(identity, *units)  # a sibling or superior: 404, as for anything out of scope
    outside = [u for u in units if not is_below(u, identity.org_code)]
    if outside:
        raise Problem(
            422,
            "assign-outside-subtree",
            "只能向下级交办 Assignment goes downward",
            f"以下单位不在本单位下级范围内: {', '.join(outside)}",
            units=outside,
        )


def check_deadline(deadline: date, today: date) -> None:
    if deadline < today:
        raise Problem(
            422,
            "deadline-in-past",
            "完成时限已过 Deadline in the past",
            f"完成时限 {deadline} 早于今天 {today}",
        )
