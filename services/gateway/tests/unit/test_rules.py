"""Plain rules: organisation codes, role details, the assessor window, the lock-out counter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from luoshi_gateway.auth.models import SignInThrottle
from luoshi_gateway.auth.throttle import (
    Policy,
    account_key,
    address_key,
    count_attempt,
    lock_length,
    normalise_username,
)
from luoshi_gateway.orgs.rules import child_level, department_code_error, government_code_error
from luoshi_gateway.people.rules import manages_people, may_act_now, reads_people, role_detail_errors
from luoshi_kit.identity import Identity

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("code", "parent", "ok"),
    [
        ("520100000000", "520000000000", True),
        ("520102000000", "520100000000", True),
        ("520102001000", "520102000000", True),
        ("530100000000", "520000000000", False),  # another province
        ("520102000000", "520000000000", False),  # skips the city
        ("520000000000", "520000000000", False),  # itself
        ("520102001001", "520102000000", False),  # village
        ("520102001000", "520102002000", False),  # below a township
        ("52010200100", "520102000000", False),
        ("520103000000", "520102000000", False),  # a sibling county under a county
    ],
)
def test_government_codes(code: str, parent: str, ok: bool) -> None:
    assert (government_code_error(code, parent) is None) is ok


@pytest.mark.parametrize(
    ("code", "parent", "ok"),
    [
        ("520102000000D01", "520102000000", True),
        ("520102000000D99", "520102000000", True),
        ("520102000000D00", "520102000000", False),
        ("520100000000D01", "520102000000", False),
        ("520102000000D1", "520102000000", False),
        ("520102000000", "520102000000", False),
        ("520102000000D01D01", "520102000000D01", False),
    ],
)
def test_department_codes(code: str, parent: str, ok: bool) -> None:
    assert (department_code_error(code, parent) is None) is ok


def test_child_levels() -> None:
    assert child_level("government", "520000000000") == "city"
    assert child_level("government", "520102000000") == "township"
    assert child_level("department", "520102000000") == "county"


def _details(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "overseen_areas": [],
        "inspector_type": None,
        "representative_type": None,
        "assessor_assignment": None,
        "assessor_valid_from": None,
        "assessor_valid_to": None,
    }
    return base | kw


def test_role_details_fit_the_roles() -> None:
    assert role_detail_errors(roles=["deputy"], **_details(overseen_areas=["教育"])) == []  # type: ignore[arg-type]
    assert role_detail_errors(roles=["handler"], **_details(overseen_areas=["教育"]))  # type: ignore[arg-type]
    assert role_detail_errors(roles=["inspector"], **_details())  # type: ignore[arg-type]
    assert role_detail_errors(roles=["inspector"], **_details(inspector_type="special")) == []  # type: ignore[arg-type]
    assert role_detail_errors(roles=["representative"], **_details(representative_type="npc")) == []  # type: ignore[arg-type]
    window = _details(
        assessor_assignment="A-1", assessor_valid_from=NOW, assessor_valid_to=NOW + timedelta(days=1)
    )
    assert role_detail_errors(roles=["assessor"], **window) == []  # type: ignore[arg-type]
    assert role_detail_errors(roles=["handler"], **window)  # type: ignore[arg-type]
    backwards = window | {"assessor_valid_to": NOW - timedelta(days=1)}
    assert role_detail_errors(roles=["assessor"], **backwards)  # type: ignore[arg-type]


def test_assessor_window() -> None:
    assert may_act_now(None, NOW)
    assert may_act_now((NOW - timedelta(hours=1), NOW + timedelta(hours=1)), NOW)
    assert not may_act_now((NOW + timedelta(hours=1), NOW + timedelta(hours=2)), NOW)
    assert not may_act_now((NOW - timedelta(hours=2), NOW), NOW)  # the end is exclusive
    assert not may_act_now((None, None), NOW)


def test_who_manages_and_reads_people() -> None:
    admin = Identity(person_id="a", username="a", display_name="a", org_code="520100000000", roles=["admin"])
    office = admin.model_copy(update={"roles": ["office"]})
    assert manages_people(admin, "520102000000") and manages_people(admin, "520100000000D01")
    assert not manages_people(admin, "520200000000") and not manages_people(admin, "520000000000")
    assert not manages_people(office, "520102000000") and reads_people(office, "520102000000")
    assert not reads_people(office, "520200000000")


POLICY = Policy(
    max_failures=5,
    address_max_failures=20,
    window=timedelta(minutes=15),
    lock_for=timedelta(minutes=15),
    max_lock=timedelta(hours=24),
)


def test_lock_out_counter() -> None:
    row = SignInThrottle(key="x", failures=0, window_start=None, locked_until=None, lockouts=0)
    for minute in range(4):
        count_attempt(row, now=NOW + timedelta(minutes=minute), limit=5, policy=POLICY)
    assert row.failures == 4 and row.locked_until is None
    count_attempt(row, now=NOW + timedelta(minutes=20), limit=5, policy=POLICY)
    assert row.failures == 1  # the window had passed: counting starts again
    for minute in range(4):
        count_attempt(row, now=NOW + timedelta(minutes=21 + minute), limit=5, policy=POLICY)
    assert row.locked_until == NOW + timedelta(minutes=24) + POLICY.lock_for and row.failures == 0
    assert row.lockouts == 1


def test_each_further_lock_lasts_twice_as_long_up_to_the_cap() -> None:
    assert [lock_length(n, POLICY) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (15, 30, 60)]
    assert lock_length(20, POLICY) == POLICY.max_lock
    row = SignInThrottle(key="x", failures=0, window_start=None, locked_until=None, lockouts=0)
    now = NOW
    for expected in (15, 30, 60):
        for _ in range(5):
            count_attempt(row, now=now, limit=5, policy=POLICY)
        assert row.locked_until == now + timedelta(minutes=expected)
        now = row.locked_until + timedelta(seconds=1)
    # A day of quiet after the last lock: back-off starts over.
    now += POLICY.max_lock + timedelta(minutes=1)
    for _ in range(5):
        count_attempt(row, now=now, limit=5, policy=POLICY)
    assert row.locked_until == now + POLICY.lock_for


def test_usernames_are_normalised_before_counting() -> None:
    assert normalise_username(" ADMIN ") == normalise_username("ａｄｍｉｎ") == "admin"
    assert account_key(" Admin ", "198.51.100.7") == account_key("admin", "198.51.100.7")
    assert account_key("admin", "198.51.100.7") != account_key("admin", "203.0.113.9")
    assert address_key("198.51.100.7") != account_key("admin", "198.51.100.7")


def test_the_timeline_reads_changes_and_extensions() -> None:
    from datetime import date

    from luoshi_gateway.views.rules import TASK_EVENTS, summary
    from luoshi_proto.tasking.v1 import Actor, FieldChange, TaskDeadlineExtended, TaskRef, TaskUpdated

    ref = TaskRef(
        task_id="t1",
        title="任务",
        issuing_org="520000000000",
        lead_unit="520102000000",
        deadline=date(2027, 7, 31),
        original_deadline=date(2027, 6, 30),
        extension_count=1,
    )
    by = Actor(person_id="p", org_code="520000000000")
    for event_type in (
        "tasking.task.updated.v1",
        "tasking.task.extension_requested.v1",
        "tasking.task.extension_decided.v1",
        "tasking.task.deadline_extended.v1",
    ):
        assert event_type in TASK_EVENTS
    updated = TaskUpdated(
        task=ref,
        by=by,
        at=NOW,
        reason="调整",
        changes=[FieldChange(field="title", before="旧", after="任务")],
    )
    assert summary("tasking.task.updated.v1", updated) == "任务变更 updated: 调整 — title: 旧 → 任务"
    extended = TaskDeadlineExtended(
        task=ref,
        by=by,
        at=NOW,
        extension_id="e1",
        previous_deadline=date(2027, 6, 30),
        working_days_added=22,
        late=False,
    )
    text = summary("tasking.task.deadline_extended.v1", extended)
    assert "2027-06-30 → 2027-07-31" in text and "第 1 次" in text
