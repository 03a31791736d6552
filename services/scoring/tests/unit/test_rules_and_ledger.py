"""Rules, ledger arithmetic and the ranking tie-break, as plain functions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from luoshi_scoring.ledger.rules import Figures, standings_from
from luoshi_scoring.periods import period_bounds, period_of, standing_periods
from luoshi_scoring.rankings.rules import Line, rank
from luoshi_scoring.rulebook.defaults import DEFAULT_RULES
from luoshi_scoring.rulebook.rules import basis_text, points_for, resolve
from luoshi_scoring.workdays import working_days_after

OVERDUE = next(r for r in DEFAULT_RULES if r.code == "task_overdue")
CITY, COUNTY, OTHER_COUNTY = "520100000000", "520102000000", "520302000000"


def test_a_rule_change_mid_quarter_applies_from_its_effective_date_only() -> None:
    v2 = replace(OVERDUE, version=2, points=Decimal("-4"), effective_from=date(2026, 11, 16))
    versions = [OVERDUE, v2]
    before = resolve(versions, code="task_overdue", org_code=COUNTY, day=date(2026, 11, 15))
    after = resolve(versions, code="task_overdue", org_code=COUNTY, day=date(2026, 11, 16))
    assert before is OVERDUE and after is v2
    assert period_of(date(2026, 11, 15), "quarter") == period_of(date(2026, 11, 16), "quarter") == "2026Q4"


def test_a_scoped_version_wins_inside_its_scope_only() -> None:
    city = replace(OVERDUE, version=3, points=Decimal("-1"), scope_org=CITY, effective_from=date(2026, 1, 1))
    later_global = replace(OVERDUE, version=4, points=Decimal("-5"), effective_from=date(2026, 6, 1))
    versions = [OVERDUE, city, later_global]
    assert resolve(versions, code="task_overdue", org_code=COUNTY, day=date(2026, 7, 1)) is city
    assert resolve(versions, code="task_overdue", org_code=OTHER_COUNTY, day=date(2026, 7, 1)) is later_global
    tier = replace(city, version=5, tier="city")
    assert resolve([*versions, tier], code="task_overdue", org_code=CITY, day=date(2026, 7, 1)) is tier
    assert resolve([*versions, tier], code="task_overdue", org_code=COUNTY, day=date(2026, 7, 1)) is city


def test_points_and_basis_name_the_rule_and_version() -> None:
    per_day = next(r for r in DEFAULT_RULES if r.code == "task_overdue_day")
    assert points_for(per_day, 3) == Decimal("-1.50")
    text = basis_text(per_day, "任务X 超期 3 个工作日", 3)
    assert "task_overdue_day" in text and "第 1 版" in text and "× 3" in text


def test_a_correction_compensates_without_counting_as_a_deduction() -> None:
    rows = [
        (COUNTY, "2026Q4", Decimal("-2"), "task_overdue"),
        (COUNTY, "2026Q4", Decimal("2"), "correction"),
        (COUNTY, "2027Q1", Decimal("-1"), "correction"),
        (COUNTY, "2026", Decimal("0.5"), "acceptance_timely"),
        (COUNTY, "2026Q4", Decimal("-3"), "negative_listed"),
    ]
    out = standings_from(rows)
    assert out[(COUNTY, "2026Q4")] == Figures(Decimal("-3"), 3, 2, 1)
    assert out[(COUNTY, "2026")] == Figures(Decimal("-2.5"), 4, 2, 1)
    assert out[(COUNTY, "2027Q1")] == Figures(Decimal("-1"), 1, 0, 0)
    assert standing_periods("2026Q4") == ("2026Q4", "2026") and standing_periods("2026") == ("2026",)


def test_ties_break_on_negative_list_then_deductions_then_share_a_rank() -> None:
    lines = [
        Line("520300000000", "遵义市", Decimal("5"), 0, 1, 3),
        Line("520200000000", "六盘水市", Decimal("5"), 1, 0, 3),
        Line("520100000000", "贵阳市", Decimal("5"), 0, 1, 3),
        Line("520400000000", "安顺市", Decimal("5"), 0, 0, 2),
        Line("520500000000", "毕节市", Decimal("7"), 2, 2, 5),
    ]
    placed = [(p.line.org_code, p.position, p.rank) for p in rank(lines)]
    assert placed == [
        ("520500000000", 1, 1),
        ("520400000000", 2, 2),
        ("520100000000", 3, 3),  # equal on all three with 遵义市: same rank, code order
        ("520300000000", 4, 3),
        ("520200000000", 5, 5),
    ]


def test_periods_and_working_days() -> None:
    assert period_bounds("2026Q1") == (date(2026, 1, 1), date(2026, 3, 31))
    assert period_bounds("2026Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    # 2026-10-01..07 is the National Day holiday (Mon–Fri would count 7): only the 8th and 9th work.
    assert working_days_after(date(2026, 9, 30), date(2026, 10, 9)) == (2, False)
    assert working_days_after(date(2030, 1, 4), date(2030, 1, 8)) == (2, True)
