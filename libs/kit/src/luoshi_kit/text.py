"""Text field types that refuse what no form can type and no export can hold: control characters.

``PlainText`` is one line (names, titles, codes): no control character at all. ``MultilineText`` is
prose (descriptions, measures, summaries): tab, line feed and carriage return are allowed, nothing else.
Both also refuse the non-characters U+FFFE/U+FFFF and lone surrogates, which XML (so .xlsx) cannot hold.
Use them in input schemas; Field constraints (``min_length`` …) combine with them as usual.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

# C0 controls, DEL and C1 controls; surrogates and the two non-characters XML refuses.
_PLAIN_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_MULTILINE_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _refuse(match: re.Match[str]) -> PydanticCustomError:
    return PydanticCustomError(
        "control_character",
        "不能包含控制字符 (位置 {position}, U+{code}) Control characters are not allowed",
        {"position": match.start(), "code": f"{ord(match.group()):04X}"},
    )


def check_plain(value: str) -> str:
    if match := _PLAIN_FORBIDDEN.search(value):
        raise _refuse(match)
    return value


def check_multiline(value: str) -> str:
    if match := _MULTILINE_FORBIDDEN.search(value):
        raise _refuse(match)
    return value


PlainText = Annotated[str, AfterValidator(check_plain)]
"""One line of text: no control characters (not even tab or newline)."""

MultilineText = Annotated[str, AfterValidator(check_multiline)]
"""Prose: tab, newline and carriage return allowed, other control characters refused."""
