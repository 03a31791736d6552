"""Order and rank of a tier's units (排名规则). Plain functions, no I/O.

Tie-break, in this order: more points first; then fewer negative-list entries (负面清单); then fewer
deductions (entries with negative points); then the organisation code (only to fix the order: units equal on
the first three share a rank, ``1, 1, 3``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from luoshi_kit.errors import Problem

STATES = ("draft", "approved", "published")


@dataclass(frozen=True)
class Line:
    org_code: str
    name: str
    points: Decimal
    negative: int
    deductions: int
    entries: int


@dataclass(frozen=True)
class Placed:
    line: Line
    position: int
    rank: int


def _merit(line: Line) -> tuple[Decimal, int, int]:
    return -line.points, line.negative, line.deductions


def rank(lines: Iterable[Line]) -> list[Placed]:
    ordered = sorted(lines, key=lambda line: (*_merit(line), line.org_code))
    placed: list[Placed] = []
    for position, line in enumerate(ordered, start=1):
        same = placed and _merit(placed[-1].line) == _merit(line)
        placed.append(Placed(line, position, placed[-1].rank if same else position))
    return placed


def require_state(current: str, wanted: str, action: str) -> None:
    if current != wanted:
        hint = (
            "排名须经本级政府主要负责同志批准后方可公示" if action == "publish" else f"当前状态为 {current}"
        )
        raise Problem(
            409,
            "conflict",
            "状态冲突 Conflict",
            f"{hint} (the ranking is {current}; {action} needs {wanted})",
            state=current,
        )
