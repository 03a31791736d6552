"""SQL for the organisation tree: "this column's organisation lies in that subtree".

The SQL twin of ``luoshi_proto.divisions.is_within``: a department's subtree is itself (``=``), a
government's is a range of codes (``>= lower AND < upper``, see ``subtree_bounds``), which a plain
b-tree index on the column answers on PostgreSQL and SQLite alike. Use it for every subtree filter
instead of ``LIKE``/``startswith``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_

from luoshi_proto.divisions import subtree_bounds


def within_subtree(column: Any, scope: str) -> ColumnElement[bool]:
    """``column`` (an organisation code) lies in ``scope``'s subtree; NULL never does."""
    if len(scope) > 12:
        return column == scope
    lower, upper = subtree_bounds(scope)
    if upper is None:
        return column >= lower
    return and_(column >= lower, column < upper)
