"""A task's timeline as the JSON document of ``schemas.Timeline``, built by the database in one query.

A busy task has hundreds of entries, each carrying its event's data; loading them as objects, validating and
serialising them again cost the gateway ~12 ms of CPU per call at ~200 entries (bench/route_costs.py). The
database aggregates the entries (in ``at`` order) into the document instead, the ``data`` column passes
through verbatim, and the gateway does no work per entry. ``at`` is written as pydantic writes a UTC
datetime (``2026-12-01T08:00:00.123456Z``, no fraction when it is zero), so the document reads as before.
PostgreSQL and SQLite (the local default) each get their own JSON functions.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Text,
    bindparam,
    case,
    cast,
    extract,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from luoshi_gateway.views.models import TaskView, TimelineEntry

_FIELDS = ("event_id", "at", "event_type", "source", "actor_id", "org_code", "summary", "data")


def _key(name: str) -> ColumnElement[Any]:
    return literal_column(f"'{name}'")  # a constant of this module, never input


def _pairs(values: dict[str, Any]) -> list[ColumnElement[Any]]:
    return [part for name, value in values.items() for part in (_key(name), value)]


def _postgres_at() -> ColumnElement[Any]:
    utc = func.timezone("UTC", TimelineEntry.at)
    whole = cast(extract("microseconds", TimelineEntry.at), Integer) % 1000000 == 0
    return func.to_char(
        utc,
        case(
            (whole, literal_column('\'YYYY-MM-DD"T"HH24:MI:SS"Z"\'')),
            else_=literal_column('\'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\''),
        ),
    )


def _sqlite_at() -> ColumnElement[Any]:
    # SQLAlchemy stores SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff', already in UTC (UtcDateTime).
    return func.replace(func.replace(TimelineEntry.at, " ", "T"), ".000000", "").op("||")("Z")


def _items(dialect: str) -> ColumnElement[Any]:
    columns: dict[str, ColumnElement[Any]] = {name: getattr(TimelineEntry, name) for name in _FIELDS}
    order = (TimelineEntry.at, TimelineEntry.event_id)
    if dialect == "postgresql":
        entry = func.json_build_object(*_pairs(columns | {"at": _postgres_at()}))
        items = (
            select(func.json_agg(aggregate_order_by(entry, *order)))
            .where(TimelineEntry.task_id == TaskView.task_id)
            .scalar_subquery()
        )
        return func.coalesce(items, literal_column("'[]'::json"))
    entry = func.json_object(*_pairs(columns | {"at": _sqlite_at(), "data": func.json(TimelineEntry.data)}))
    ordered = (
        select(entry.label("entry"))
        .where(TimelineEntry.task_id == TaskView.task_id)
        .order_by(*order)
        .correlate(TaskView)
        .subquery()
    )
    # json(): a value's JSON subtype does not survive a subquery in SQLite, so it is restated.
    return func.json(select(func.json_group_array(func.json(ordered.c.entry))).scalar_subquery())


@cache  # built once per dialect: composing and hashing the statement cost more than running it
def timeline_document(dialect: str) -> Select[str, str, list[str], str]:
    """The view of the task ``:task_id`` (who may see it) and its whole timeline as one JSON text,
    ``document``."""
    build = func.json_build_object if dialect == "postgresql" else func.json_object
    document = build(
        *_pairs(
            {
                "task_id": TaskView.task_id,
                "title": TaskView.title,
                "state": TaskView.state,
                "items": _items(dialect),
            }
        )
    )
    return select(
        TaskView.lead_unit,
        TaskView.issuing_org,
        TaskView.co_units,
        cast(document, Text).label("document"),  # as text: the driver would parse json
    ).where(TaskView.task_id == bindparam("task_id"))
