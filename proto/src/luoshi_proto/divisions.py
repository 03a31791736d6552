"""Statistical division codes (统计用区划代码) and the division paths used in routing keys.

A government's code has 12 digits: province (2) city (2) county (2) township (3) village (3), e.g.
520102001000. A department (部门) of a government has the government's code plus ``D`` and two
digits, e.g. 520102000000D03. The division path drops trailing zero parts: 52.01.02.001.
"""

from __future__ import annotations

import re

CODE_PATTERN = r"^\d{12}(D\d{2})?$"
_CODE = re.compile(CODE_PATTERN)
_PARTS = ((0, 2), (2, 4), (4, 6), (6, 9))
LEVELS = ("province", "city", "county", "township")


def is_valid_code(code: str) -> bool:
    return bool(_CODE.fullmatch(code))


def government_of(code: str) -> str:
    """The government a code belongs to: itself, or for a department the government above it."""
    return code[:12]


def division_parts(code: str) -> list[str]:
    gov = government_of(code)
    parts = [gov[a:b] for a, b in _PARTS]
    while len(parts) > 1 and set(parts[-1]) == {"0"}:
        parts.pop()
    return parts


def division_path(code: str) -> str:
    """``52.01.02`` for 520102000000 and for its departments."""
    return ".".join(division_parts(code))


def level_of(code: str) -> str:
    return LEVELS[len(division_parts(code)) - 1]


def is_within(code: str, scope: str) -> bool:
    """True when ``code`` lies in the subtree of ``scope`` (its own organisation counts).

    A department's subtree is itself; a government's holds its departments and every division below.
    """
    if scope == code:
        return True
    if len(scope) > 12:
        return False
    prefix = "".join(division_parts(scope))
    return government_of(code).startswith(prefix)


def subtree_bounds(scope: str) -> tuple[str, str | None]:
    """The codes in a government's subtree are exactly those with ``lower <= code < upper``.

    ``lower`` is the significant prefix of ``scope`` (贵阳市 520100000000 → "5201") and ``upper`` the
    next prefix of the same length ("5202"; None when the prefix is all nines, nothing sorts above
    it). Every comparison is decided within the prefix's digits, so the range holds under any
    collation and a plain b-tree index answers it (``LIKE 'prefix%'`` needs the C collation or
    ``text_pattern_ops`` on PostgreSQL). A department's subtree is itself: compare with ``==``.
    """
    if len(scope) > 12:
        raise ValueError(f"a department's subtree is itself, not a range: {scope}")
    lower = "".join(division_parts(scope))
    stripped = lower.rstrip("9")
    if not stripped:
        return lower, None
    upper = stripped[:-1] + str(int(stripped[-1]) + 1) + "0" * (len(lower) - len(stripped))
    return lower, upper


def is_below(code: str, scope: str) -> bool:
    """Strictly inside the subtree of ``scope``: where ``scope`` may assign work (交办 goes down)."""
    return code != scope and is_within(code, scope)
