"""Burden control (减轻基层负担) and raised frequency (增加督查频次) as plain functions.

The documented rule:

- a *routine* inspection is any inspection except an unannounced one (暗访), one driven by a public clue
  and a re-inspection (再督查); only routine inspections count against the cap and the overlap rule;
- a unit takes at most ``routine_cap_per_year`` routine inspections per calendar year (by planned start);
- two routine inspections of the same unit on the same subject whose planned periods overlap are one
  too many: the second is refused (409 ``inspection-overlap``) or, when asked (``on_overlap=merge``),
  merged into the first (its tasks and team join it);
- a rejected or overdue rectification raises the unit's frequency for ``frequency_raised_days``: its
  routine interval is divided by ``frequency_factor`` (180 → 90 days) and its cap multiplied by it.
"""

from __future__ import annotations

from datetime import date, timedelta


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    return a_start <= b_end and b_start <= a_end


def raised(raised_until: date | None, today: date) -> bool:
    return raised_until is not None and today <= raised_until


def routine_cap(base_cap: int, factor: int, *, is_raised: bool) -> int:
    return base_cap * factor if is_raised else base_cap


def routine_interval(base_days: int, factor: int, *, is_raised: bool) -> int:
    return max(1, base_days // factor) if is_raised else base_days


def raised_until(current: date | None, today: date, days: int) -> date:
    """A new raise runs ``days`` from today; it never shortens one in force."""
    new = today + timedelta(days=days)
    return max(current, new) if current else new


def next_routine_due(last_routine_start: date | None, interval_days: int) -> date | None:
    return last_routine_start + timedelta(days=interval_days) if last_routine_start else None


def is_routine_row(kind: str, clue_id: str | None) -> bool:
    """The same as ``inspections.rules.is_routine`` (kept here so this module needs no other)."""
    return kind not in ("unannounced", "re_inspection") and clue_id is None
