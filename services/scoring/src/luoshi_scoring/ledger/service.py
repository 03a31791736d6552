"""Writing the ledger: one entry, its standings and its event in the caller's transaction. Never commits."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import TextualSelect, bindparam, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import table_of, utcnow
from luoshi_kit.messaging.outbox import add_event
from luoshi_proto.scoring.v1 import PointsChanged, PointsEntryRef
from luoshi_proto.tasking.v1 import Actor
from luoshi_scoring.ledger.models import PointsEntry, Standing
from luoshi_scoring.ledger.rules import entry_delta
from luoshi_scoring.periods import standing_periods
from luoshi_scoring.rulebook.defaults import CORRECTION, MANUAL

SOURCE = "scoring"


@dataclass(frozen=True)
class NewEntry:
    org_code: str
    period: str
    kind: str  # rule | manual | correction
    rule_code: str
    rule_version: int | None
    points: Decimal
    basis: str
    source_key: str
    occurred_on: date
    quantity: int = 1
    source_event_id: str | None = None
    source_event_type: str | None = None
    task_id: str | None = None
    corrects: str | None = None
    reason: str | None = None
    approved_by: str | None = None
    recorded_by: str | None = None


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def add_entry(
    *, session: AsyncSession, entry: NewEntry, by: Actor | None, at: datetime | None = None
) -> PointsEntry | None:
    """Append ``entry`` and count it in its standings (its quarter and year); None when the same occurrence
    (source key, rule, unit) is already in the ledger: nothing is added twice."""
    now = at or utcnow()
    entry_id = str(uuid.uuid4())
    values = {**asdict(entry), "id": entry_id, "recorded_at": utcnow()}
    # One statement: the row comes back as an ORM object (no SELECT after the INSERT), none on a repeat.
    statement = (
        _insert(session)(PointsEntry)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["source_key", "rule_code", "org_code"])
        .returning(PointsEntry)
    )
    row = (await session.scalars(statement)).one_or_none()
    if row is None:
        return None
    total = await _count(session=session, entry=entry)
    add_event(
        session=session,
        source=SOURCE,
        orgcode=entry.org_code,
        subject=entry_id,
        data=PointsChanged(entry=entry_ref(row), by=by, at=now, total=float(total)),
    )
    return row


async def _count(*, session: AsyncSession, entry: NewEntry) -> Decimal:
    """Add the entry to its standings (an atomic upsert each); the total of the entry's own period."""
    delta = entry_delta(entry.points, entry.rule_code)
    periods = standing_periods(entry.period)
    params: dict[str, Any] = {
        "org_code": entry.org_code,
        "points": delta.points,
        "entries": delta.entries,
        "deductions": delta.deductions,
        "negative": delta.negative,
        "updated_at": utcnow(),
    }
    params.update({f"period_{n}": period for n, period in enumerate(periods)})
    rows = await session.execute(_standings_upsert(len(periods)), params)
    totals = {period: Decimal(points) for period, points in rows.all()}
    return totals[entry.period]


@cache
def _standings_upsert(periods: int) -> TextualSelect:
    """Its quarter and its year in one statement, as text: SQLAlchemy cannot cache a multi-row VALUES and
    compiled it anew for every entry (about a third of scoring's CPU per event, issue 10). Each parameter
    takes its column's type (UTC datetimes, decimals); PostgreSQL and SQLite alike."""
    table = table_of(Standing)
    added = ("points", "entries", "deductions", "negative")
    names = ("org_code", "period", *added, "updated_at")
    rows = ", ".join(
        "(" + ", ".join(f":period_{n}" if c == "period" else f":{c}" for c in names) + ")"
        for n in range(periods)
    )
    updated = ", ".join(
        [*(f"{c} = {table.name}.{c} + excluded.{c}" for c in added), "updated_at = excluded.updated_at"]
    )
    typed = [bindparam(c, type_=table.c[c].type) for c in names if c != "period"]
    typed += [bindparam(f"period_{n}", type_=table.c.period.type) for n in range(periods)]
    return (
        text(
            f"INSERT INTO {table.name} ({', '.join(names)}) VALUES {rows}"  # nosec B608 (column names)
            f" ON CONFLICT (org_code, period) DO UPDATE SET {updated} RETURNING period, points"
        )
        .bindparams(*typed)
        .columns(table.c.period, table.c.points)
    )


def entry_ref(row: PointsEntry) -> PointsEntryRef:
    rule = row.rule_code not in (MANUAL, CORRECTION)
    return PointsEntryRef(
        entry_id=row.id,
        org_code=row.org_code,
        period=row.period,
        rule_id=row.rule_code if rule else None,
        rule_version=row.rule_version if rule else None,
        points=float(row.points),
        basis=row.basis,
        source_event_id=row.source_event_id,
        corrects=row.corrects,
    )


async def standing_of(*, session: AsyncSession, org_code: str, period: str) -> Standing | None:
    return await session.get(Standing, (org_code, period))


async def corrections_of(*, session: AsyncSession, entry_id: str) -> list[PointsEntry]:
    query = select(PointsEntry).where(PointsEntry.corrects == entry_id).order_by(PointsEntry.recorded_at)
    return list((await session.scalars(query)).all())
