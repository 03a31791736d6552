"""The one answer for an organisation outside the caller's subtree: 404, in filters and in writes alike.

A person acts within their organisation's subtree; naming anything else (a sibling, a superior, a code that
does not exist) answers ``404 not-found`` so that guessed codes reveal nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity


def outside_scope(codes: Iterable[str]) -> Problem:
    listed = ", ".join(sorted(set(codes)))
    return Problem(
        404,
        "not-found",
        "未找到 Not found",
        f"单位 {listed} 不存在或不在本单位及下级范围内 (not found in your subtree)",
        units=sorted(set(codes)),
    )


def require_in_scope(identity: Identity, *codes: str | None) -> None:
    """404 unless every given organisation code lies in the caller's subtree (``None`` is skipped)."""
    outside = [c for c in codes if c is not None and not identity.can_see(c)]
    if outside:
        raise outside_scope(outside)
