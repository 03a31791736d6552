"""The plain rules of inspections, burden, rectification and the representatives' check."""

from __future__ import annotations

from datetime import date

from luoshi_kit.identity import Identity
from luoshi_supervision.burden import rules as burden
from luoshi_supervision.burden.representatives import due_on, flagged
from luoshi_supervision.inspections import rules
from luoshi_supervision.rectifications import rules as rect
from luoshi_supervision.rectifications.workdays import add_working_days, working_days_between

CITY, COUNTY, SIBLING, TOWNSHIP = "520100000000", "520102000000", "520103000000", "520102001000"
TODAY = date(2026, 6, 10)


def who(org: str, *roles: str, pid: str = "p") -> Identity:
    return Identity(person_id=pid, username=pid, display_name=pid, org_code=org, roles=list(roles))


def _plan(**kw: object) -> list[str]:
    args: dict[str, object] = dict(
        kind="special",
        organiser=CITY,
        targets=[COUNTY],
        task_ids=[],
        inspector_units=[],
        leader_id=None,
        member_roles=["inspector"],
        planned_start=TODAY,
        planned_end=TODAY,
        today=TODAY,
    )
    return rules.plan_errors(**(args | kw))  # type: ignore[arg-type]


def test_plan_rules() -> None:
    assert _plan() == []
    assert _plan(targets=[CITY])  # own organisation: not below
    assert _plan(targets=[], task_ids=[])
    assert _plan(planned_end=date(2026, 6, 9))
    assert _plan(kind="cross")  # no inspector units
    assert _plan(kind="cross", inspector_units=[COUNTY])  # inspects its own unit
    assert _plan(kind="cross", inspector_units=[TOWNSHIP])  # a unit below the target: also its own
    assert _plan(kind="cross", inspector_units=[SIBLING]) == []
    assert _plan(inspector_units=[SIBLING])  # only cross inspections lend inspectors
    assert _plan(kind="onsite") and _plan(kind="onsite", leader_id="l") == []
    assert (
        _plan(kind="representatives") and _plan(kind="representatives", member_roles=["representative"]) == []
    )
    assert _plan(kind="third_party") and _plan(kind="third_party", member_roles=["assessor"]) == []
    assert _plan(member_roles=["assessor"])


def test_visibility() -> None:
    args = dict(inspecting_org=CITY, targets=[COUNTY], members=["m"])
    hidden = dict(args, unannounced=True, conducted=False)
    assert rules.may_see(who(CITY, "office"), **hidden)  # type: ignore[arg-type]
    assert not rules.may_see(who(COUNTY, "principal"), **hidden)  # type: ignore[arg-type]
    assert rules.may_see(who(COUNTY, "principal"), **dict(hidden, conducted=True))  # type: ignore[arg-type]
    assert not rules.may_see(who(SIBLING, "office"), **dict(hidden, conducted=True))  # type: ignore[arg-type]
    assert rules.may_see(who(COUNTY, "assessor", pid="m"), **hidden)  # type: ignore[arg-type]
    # An assessor sees only what it is a member of, even in the inspecting organisation.
    assert not rules.may_see(who(CITY, "assessor", pid="x"), **dict(hidden, unannounced=False))  # type: ignore[arg-type]


def test_routine_and_exemption_rule() -> None:
    assert rules.is_routine("special", None) and not rules.is_routine("special", "clue")
    assert not rules.is_routine("unannounced", None) and not rules.is_routine("re_inspection", None)
    assert rules.exemption_blocks("special", None) and rules.exemption_blocks("unannounced", None)
    assert not rules.exemption_blocks("unannounced", "clue") and not rules.exemption_blocks(
        "re_inspection", None
    )
    assert rules.subject_key("theme", " 优化 营商环境 ") == rules.subject_key("theme", "优化营商环境")


def test_raised_frequency() -> None:
    assert (
        burden.routine_interval(180, 2, is_raised=True) == 90
        and burden.routine_interval(180, 2, is_raised=False) == 180
    )
    assert burden.routine_cap(4, 2, is_raised=True) == 8
    until = burden.raised_until(None, TODAY, 365)
    assert until == date(2027, 6, 10) and burden.raised_until(date(2028, 1, 1), TODAY, 365) == date(
        2028, 1, 1
    )
    assert burden.raised(until, TODAY) and not burden.raised(until, date(2027, 6, 11))
    assert burden.overlaps(TODAY, TODAY, TODAY, date(2026, 7, 1)) and not burden.overlaps(
        TODAY, TODAY, date(2026, 6, 11), date(2026, 7, 1)
    )


def test_rectification_rules() -> None:
    assert rect.transition("rectifying", "submit") == "submitted"
    assert rect.transition("submitted", "reject") == "rectifying"
    assert rect.needs_overdue_alert(
        state="rectifying", deadline=date(2026, 6, 9), raised_for=None, today=TODAY
    )
    assert not rect.needs_overdue_alert(
        state="rectifying", deadline=date(2026, 6, 9), raised_for=date(2026, 6, 9), today=TODAY
    )
    assert not rect.is_overdue(state="submitted", deadline=date(2026, 6, 9), today=TODAY)
    assert rect.is_unit(who(COUNTY, "handler"), COUNTY) and not rect.is_unit(who(CITY, "principal"), COUNTY)


def test_working_days_skip_weekends_and_holidays() -> None:
    assert add_working_days(date(2026, 6, 12), 1) == date(2026, 6, 15)  # Friday → Monday
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)  # 国庆 holiday week
    assert working_days_between(date(2026, 6, 12), date(2026, 6, 15)) == 1


def test_representatives_flag() -> None:
    due = due_on(2026, "09-30")
    assert flagged(count=0, today=date(2026, 10, 1), due=due)
    assert not flagged(count=0, today=due, due=due) and not flagged(count=1, today=date(2026, 12, 1), due=due)
