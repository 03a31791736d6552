"""Rules for organisation codes: where a new government or department fits in the tree."""

from __future__ import annotations

import re

from luoshi_proto.divisions import LEVELS, division_parts, level_of

_GOVERNMENT = re.compile(r"^\d{12}$")
_DEPARTMENT = re.compile(r"^\d{12}D\d{2}$")


def government_code_error(code: str, parent_code: str) -> str | None:
    """Why ``code`` cannot be a government directly below ``parent_code`` (None when it can).

    A child extends its parent's division prefix by exactly one level: 52 → 5201 → 520102 → 520102001.
    """
    if not _GOVERNMENT.fullmatch(code):
        return "政府代码须为12位数字 a government code has 12 digits"
    if not _GOVERNMENT.fullmatch(parent_code):
        return "上级须为政府 the parent must be a government"
    parent_parts = division_parts(parent_code)
    if len(parent_parts) >= len(LEVELS):
        return "乡镇以下不设政府 no government below a township"
    if code[9:] != "000":
        return "村级代码不在本系统范围 village codes are not kept (last 3 digits must be 000)"
    parts = division_parts(code)
    if parts[:-1] != parent_parts or len(parts) != len(parent_parts) + 1:
        return (
            f"代码须在上级区划 {''.join(parent_parts)} 下延伸一级 "
            f"the code must extend the parent's prefix by one level"
        )
    return None


def department_code_error(code: str, parent_code: str) -> str | None:
    """A department (部门) is its government's code + D + two digits, e.g. 520102000000D05."""
    if not _GOVERNMENT.fullmatch(parent_code):
        return "部门须设在政府之下 a department belongs to a government"
    if not _DEPARTMENT.fullmatch(code) or code[:12] != parent_code or code.endswith("D00"):
        return f"部门代码须为 {parent_code}D01–D99 a department code is the government code + D + 2 digits"
    return None


def child_level(kind: str, parent_code: str) -> str:
    """A department sits at its government's level; a government one level below its parent."""
    if kind == "department":
        return level_of(parent_code)
    return LEVELS[LEVELS.index(level_of(parent_code)) + 1]
