"""Who owes a self-check, and whether a filing is acceptable. Plain functions, no I/O.

Every unit directly under a government files to it: the province's departments and cities to the province
(the seed's 省直各部门和市政府 … 报省政府办公厅), a city's counties and departments to the city (市、县 the
same), and so on down. A quarter is filed once it has begun (自查 each quarter); the year-end report once
its fourth quarter has.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from luoshi_kit.errors import Problem
from luoshi_scoring.periods import is_quarter, period_bounds


def kind_of(period: str) -> str:
    return "quarterly" if is_quarter(period) else "year_end"


def check_filing(
    *, period: str, today: date, ledger: Decimal, claimed: Decimal, explanation: str | None
) -> None:
    first, _last = period_bounds(period)
    if not is_quarter(period):
        first = date(first.year, 10, 1)  # the year-end report is due from the fourth quarter on
    if first > today:
        raise Problem(
            422,
            "validation",
            "输入有误 Invalid input",
            f"{period} 尚未开始, 不能自查 (the period has not begun)",
        )
    if claimed != ledger and not (explanation or "").strip():
        raise Problem(
            422,
            "validation",
            "输入有误 Invalid input",
            f"自报积分 {claimed} 与台账积分 {ledger} 不一致, 须说明原因 (explain the difference)",
        )
