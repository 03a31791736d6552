"""Ledger rules (台账): which checkpoints exist, their cadence, and period labels.

Seed 三: 适时建账、季度对账、半年查账、年底交账; 周调度、月自查、季汇总; 复核确认, 及时销号.
``open`` (建账) is written when the lead unit accepts a task or a co-unit confirms its part;
``close_out`` (销号) when the issuer approves the review. The others are recorded by the unit.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

Cadence = Literal["week", "month", "quarter", "half", "year", "once"]

KINDS: dict[str, tuple[Cadence, str]] = {
    "open": ("once", "建账"),
    "dispatch": ("week", "周调度"),
    "self_check": ("month", "月自查"),
    "reconcile": ("quarter", "季度对账"),
    "summary": ("quarter", "季总结 (季汇总)"),
    "audit": ("half", "半年查账"),
    "hand_in": ("year", "年底交账"),
    "close_out": ("once", "销号"),
}
RECORDED_KINDS = ("dispatch", "self_check", "reconcile", "summary", "audit", "hand_in")
"""The checkpoints a unit records itself (POST /api/v1/ledger/{org}/entries)."""

_LABEL = {
    "week": re.compile(r"^(\d{4})-W(\d{2})$"),
    "month": re.compile(r"^(\d{4})-(\d{2})$"),
    "quarter": re.compile(r"^(\d{4})Q([1-4])$"),
    "half": re.compile(r"^(\d{4})H([12])$"),
    "year": re.compile(r"^(\d{4})$"),
    "once": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
}
LABEL_EXAMPLES = {
    "week": "2027-W05",
    "month": "2027-03",
    "quarter": "2027Q1",
    "half": "2027H1",
    "year": "2027",
    "once": "2027-01-31",
}


def period_label(cadence: Cadence, day: date) -> str:
    """The label of the period of ``cadence`` that contains ``day`` (ISO weeks, Monday first)."""
    if cadence == "week":
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if cadence == "month":
        return f"{day.year}-{day.month:02d}"
    if cadence == "quarter":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    if cadence == "half":
        return f"{day.year}H{1 if day.month <= 6 else 2}"
    if cadence == "year":
        return str(day.year)
    return day.isoformat()


def valid_label(cadence: Cadence, label: str) -> bool:
    match = _LABEL[cadence].fullmatch(label)
    if not match:
        return False
    if cadence == "week":
        year, week = int(match[1]), int(match[2])
        return 1 <= week <= date(year, 12, 28).isocalendar().week
    if cadence == "month":
        return 1 <= int(match[2]) <= 12
    if cadence == "once":
        try:
            date.fromisoformat(label)
        except ValueError:
            return False
    return True


def current_labels(day: date) -> dict[str, str]:
    """For each checkpoint a unit records, the label of the period ``day`` falls in."""
    return {kind: period_label(KINDS[kind][0], day) for kind in RECORDED_KINDS}
