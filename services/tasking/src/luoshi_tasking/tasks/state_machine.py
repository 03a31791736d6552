"""The task lifecycle (任务状态机) as one table.

=========== ========== ===========  ==========================================
from        action     to           meaning
=========== ========== ===========  ==========================================
assigned    accept     accepted     牵头单位签收, 开始落实 (opens the ledger account 建账)
assigned    return     returned     牵头单位退回, reason required
assigned    cancel     cancelled    交办单位撤销
returned    reassign   assigned     交办单位重新交办 (possibly to another lead unit)
returned    cancel     cancelled    交办单位撤销
accepted    complete   completed    牵头单位报请复核 (no open subtasks left)
completed   reject     accepted     复核退回 with a reason: the work goes on (reopened)
completed   close      closed       复核确认, 销号
closed      archive    archived     办结归档
assigned    change_lead assigned    任务变更: 交办单位更换牵头单位, 新单位重新签收
accepted    change_lead assigned    (the same, for a task in work: acceptance again)
returned    change_lead assigned    (the same as 重新交办 to another unit)
=========== ========== ===========  ==========================================

Anything not in ``TRANSITIONS`` is illegal and answers 409 ``illegal-transition``.
"""

from __future__ import annotations

from luoshi_kit.errors import Problem
from luoshi_proto.tasking.states import FINISHED_STATES, OPEN_STATES

__all__ = ["ACTIONS", "FINISHED_STATES", "OPEN_STATES", "STATES", "TRANSITIONS", "transition"]

STATES: dict[str, str] = {  # keyed by TaskState; read with stored (str) states
    "assigned": "已交办",
    "accepted": "已签收·落实中",
    "returned": "已退回",
    "completed": "已完成·待复核",
    "closed": "复核确认·已销号",
    "archived": "办结归档",
    "cancelled": "已撤销",
}

ACTIONS: dict[str, str] = {
    "accept": "签收",
    "return": "退回",
    "reassign": "重新交办",
    "cancel": "撤销",
    "complete": "报请复核 (完成)",
    "reject": "复核退回",
    "close": "复核确认销号",
    "archive": "办结归档",
    "change_lead": "变更牵头单位",
}

TRANSITIONS: dict[tuple[str, str], str] = {
    ("assigned", "accept"): "accepted",
    ("assigned", "return"): "returned",
    ("assigned", "cancel"): "cancelled",
    ("returned", "reassign"): "assigned",
    ("returned", "cancel"): "cancelled",
    ("accepted", "complete"): "completed",
    ("completed", "reject"): "accepted",
    ("completed", "close"): "closed",
    ("closed", "archive"): "archived",
    ("assigned", "change_lead"): "assigned",
    ("accepted", "change_lead"): "assigned",
    ("returned", "change_lead"): "assigned",
}


def transition(state: str, action: str) -> str:
    """The state after ``action``, or a 409 problem naming the state and the action."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise Problem(
            409,
            "illegal-transition",
            "当前状态不允许此操作 Illegal transition",
            f"任务处于「{STATES.get(state, state)}」({state}), "
            f"不能「{ACTIONS.get(action, action)}」({action})",
            state=state,
            action=action,
        ) from None
