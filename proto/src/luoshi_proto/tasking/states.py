"""The states of a task (the contract consumers read task states by): one vocabulary for tasking,
which owns the state machine (``luoshi_tasking.tasks.state_machine``), and for every read model.

已交办 assigned → 已签收 accepted | 已退回 returned; returned → assigned | 已撤销 cancelled;
accepted → 已完成 completed (报请复核) → 已销号 closed | back to accepted; closed → 办结归档 archived.
"""

from __future__ import annotations

from typing import Literal, get_args

TaskState = Literal["assigned", "accepted", "returned", "completed", "closed", "archived", "cancelled"]
TASK_STATES: tuple[TaskState, ...] = get_args(TaskState)

OPEN_STATES: frozenset[TaskState] = frozenset({"assigned", "accepted", "returned"})
"""Work still to do: a deadline passing in one of these makes the task overdue (and the scan watches it)."""
DONE_STATES: frozenset[TaskState] = frozenset({"completed", "closed", "archived", "cancelled"})
"""Never red or yellow: the work is handed in, closed out or withdrawn."""
FINISHED_STATES: frozenset[TaskState] = frozenset({"closed", "archived", "cancelled"})
"""Nothing more to do here: a parent may complete once every subtask is in one of these."""
CLOSED_STATES: frozenset[TaskState] = frozenset({"closed", "archived"})
"""Closed out (销号), archived or not: what counts as done on time when it happened by the deadline."""
