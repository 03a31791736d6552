"""Bounded paging for every list: one dependency for ``offset``/``limit``, one page shape.

``offset`` is at most ``MAX_OFFSET`` and ``limit`` at most ``MAX_LIMIT``; anything outside answers 422 before
a query runs (an offset of 2^63 used to reach the database and crash it). Deep pages past ``MAX_OFFSET`` are
reached by narrowing the filters (or, for the inbox, with its cursor), never by an unbounded offset.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, Self, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field, model_validator
from pydantic_core import to_json
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.errors import Problem

MAX_OFFSET = 100_000
MAX_LIMIT = 200
DEFAULT_LIMIT = 50

T = TypeVar("T")


@dataclass(frozen=True)
class PageParams:
    offset: int = 0
    limit: int = DEFAULT_LIMIT


async def page_params(
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description=f"跳过的条数 (0..{MAX_OFFSET})")] = 0,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"每页条数 (1..{MAX_LIMIT})")
    ] = DEFAULT_LIMIT,
) -> PageParams:
    return PageParams(offset=offset, limit=limit)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    """One page of a list. ``total`` is exact unless ``total_is_estimate`` (then a lower bound)."""

    items: list[T]
    total: int = Field(ge=0, description="总数; total_is_estimate 为真时为下限 (at least this many)")
    offset: int = Field(ge=0)
    limit: int = Field(ge=1)
    total_is_estimate: bool = Field(default=False, description="总数为估计 (下限)")
    has_more: bool = Field(default=False, description="本页之后还有条目")
    next_offset: int | None = Field(default=None, description="下一页的 offset; 没有下一页时为 null")

    @model_validator(mode="after")
    def _derived(self) -> Page[T]:
        self.has_more, self.next_offset = _following(self.offset, len(self.items), self.total)
        return self

    @classmethod
    def of(cls, items: list[T], total: int, params: PageParams, *, estimated: bool = False) -> Self:
        page = cls(items=items, total=total, offset=params.offset, limit=params.limit)
        page.total_is_estimate = page.total_is_estimate or estimated
        return page


def _following(offset: int, shown: int, total: int) -> tuple[bool, int | None]:
    """``has_more`` and ``next_offset`` of a page showing ``shown`` items from ``offset`` of ``total``."""
    following = offset + shown
    has_more = following < total
    return has_more, following if has_more and following <= MAX_OFFSET else None


def page_json(
    items: list[dict[str, Any]], total: int, params: PageParams, *, estimated: bool = False
) -> bytes:
    """The JSON ``Page.of(items, total, params, estimated=estimated)`` answers, for items that are already
    their model's dump (plain values in its fields' order): no model per item on a hot list."""
    has_more, next_offset = _following(params.offset, len(items), total)
    page = {
        "items": items,
        "total": total,
        "offset": params.offset,
        "limit": params.limit,
        "total_is_estimate": estimated,
        "has_more": has_more,
        "next_offset": next_offset,
    }
    return to_json(page)


COUNT_CAP = 10_000
"""A page counts at most this many rows past its offset; more than that is reported as an estimate."""


async def fetch_page(
    session: AsyncSession, query: Select[Any], params: PageParams, *, cap: int = COUNT_CAP
) -> tuple[list[Any], int, bool]:
    """The rows of one page of an ordered ``query``, its total and whether that total is a lower bound.

    Counting stops ``cap`` rows past the offset, so a page of a huge table (the audit trail) costs the same as
    one of a small one.
    """
    rows = list((await session.scalars(query.offset(params.offset).limit(params.limit))).all())
    if len(rows) < params.limit and (rows or not params.offset):
        return rows, params.offset + len(rows), False
    upto = params.offset + cap + 1
    counted = await session.scalar(
        select(func.count()).select_from(query.order_by(None).limit(upto).subquery())
    )
    total = int(counted or 0)
    return rows, min(total, upto - 1), total >= upto


# --- keyset cursors (newest first), for lists that grow at the head such as an inbox -----------------


class CursorPage(BaseModel, Generic[T]):
    """One page of a newest-first list; ``next_cursor`` reaches the older entries (null at the end)."""

    items: list[T]
    limit: int = Field(ge=1)
    next_cursor: str | None = Field(
        default=None, description="传给 before= 以取更早的条目; 没有更多时为 null"
    )


def encode_cursor(at: datetime, key: str) -> str:
    raw = f"{at.isoformat()}|{key}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The (time, id) a cursor names; a cursor this service did not hand out answers 422."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, key = raw.split("|", 1)
        return datetime.fromisoformat(at), key
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise Problem(
            422, "validation", "输入有误 Invalid input", "无效的游标 before (请使用上一页返回的 next_cursor)"
        ) from exc


CursorQuery = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="上一页返回的 next_cursor: 取比它更早的条目",
    ),
]
