"""The task state machine: every legal transition, and every other (state, action) pair is a 409."""

from __future__ import annotations

import itertools

import pytest

from luoshi_kit.errors import Problem
from luoshi_tasking.tasks.permissions import PERMISSIONS
from luoshi_tasking.tasks.state_machine import ACTIONS, STATES, TRANSITIONS, transition

LEGAL = {
    ("assigned", "accept"): "accepted",
    ("assigned", "return"): "returned",
    ("assigned", "cancel"): "cancelled",
    ("returned", "reassign"): "assigned",
    ("returned", "cancel"): "cancelled",
    ("accepted", "complete"): "completed",
    ("completed", "reject"): "accepted",
    ("completed", "close"): "closed",
    ("closed", "archive"): "archived",
    # 任务变更 of the lead unit: the new unit signs for it again (issue 9)
    ("assigned", "change_lead"): "assigned",
    ("accepted", "change_lead"): "assigned",
    ("returned", "change_lead"): "assigned",
}
ILLEGAL = [pair for pair in itertools.product(STATES, ACTIONS) if pair not in LEGAL]


def test_the_table_is_the_documented_one() -> None:
    assert TRANSITIONS == LEGAL
    assert len(ILLEGAL) == len(STATES) * len(ACTIONS) - len(LEGAL) == 7 * 9 - 12 == 51


@pytest.mark.parametrize(("state", "action"), list(LEGAL))
def test_legal_transition(state: str, action: str) -> None:
    assert transition(state, action) == LEGAL[(state, action)]


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_illegal_transition_is_a_409_naming_state_and_action(state: str, action: str) -> None:
    with pytest.raises(Problem) as caught:
        transition(state, action)
    problem = caught.value
    assert problem.status == 409 and problem.slug == "illegal-transition"
    assert problem.extra == {"state": state, "action": action}
    assert problem.detail and state in problem.detail and action in problem.detail


@pytest.mark.parametrize(("state", "action"), [("assigned", "fly"), ("lost", "accept"), ("", "")])
def test_unknown_states_and_actions_are_illegal_too(state: str, action: str) -> None:
    with pytest.raises(Problem) as caught:
        transition(state, action)
    assert caught.value.status == 409 and caught.value.slug == "illegal-transition"


def test_terminal_states_have_no_way_out() -> None:
    for state in ("archived", "cancelled"):
        assert not [a for (s, a) in TRANSITIONS if s == state]


def test_every_action_has_a_permission_rule() -> None:
    assert set(ACTIONS) <= set(PERMISSIONS)


def test_states_are_the_contracts_states() -> None:
    from luoshi_proto.tasking.states import OPEN_STATES, TASK_STATES
    from luoshi_tasking.tasks.state_machine import STATES, TRANSITIONS

    assert set(STATES) == set(TASK_STATES)
    assert {s for pair in TRANSITIONS for s in pair[:1]} | set(TRANSITIONS.values()) <= set(TASK_STATES)
    assert OPEN_STATES < set(TASK_STATES)
