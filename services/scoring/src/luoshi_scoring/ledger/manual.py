"""Manual items and corrections (手工记分, 更正): written by a government above the unit. Never commit."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.errors import Problem, not_found
from luoshi_kit.identity import Identity
from luoshi_kit.permissions import forbidden
from luoshi_kit.scope import require_in_scope
from luoshi_proto.divisions import is_below
from luoshi_proto.tasking.v1 import Actor
from luoshi_scoring.ledger.models import PointsEntry
from luoshi_scoring.ledger.schemas import CorrectionIn, ManualEntryIn
from luoshi_scoring.ledger.service import NewEntry, add_entry
from luoshi_scoring.orgs.service import require_known
from luoshi_scoring.periods import quarter_of
from luoshi_scoring.rankings.service import is_frozen
from luoshi_scoring.rulebook.defaults import CORRECTION, MANUAL

OWN_DENIED = "单位不能为本单位记分或更正 A unit never scores or corrects itself; a government above it does"
SCORING_ROLES = ("principal", "office", "admin")
SCORING_DENIED = (
    "记分、更正和负面清单需主要负责同志、办公厅(室)或管理员 Needs a principal, office or administrator"
)


def _actor(identity: Identity) -> Actor:
    return Actor(person_id=identity.person_id, org_code=identity.org_code)


def require_above(identity: Identity, org_code: str) -> None:
    """404 outside the caller's subtree; 403 without a scoring role, or for the caller's own unit (only a
    superior scores). Routes on an object by id call it once the object is loaded, so a guessed id is 404."""
    require_in_scope(identity, org_code)
    if not identity.has_any(*SCORING_ROLES):
        raise forbidden(SCORING_DENIED)
    if not is_below(org_code, identity.org_code):
        raise forbidden(OWN_DENIED)


async def add_manual(
    *, session: AsyncSession, identity: Identity, data: ManualEntryIn, today: date
) -> PointsEntry:
    require_above(identity, data.org_code)
    await require_known(session=session, code=data.org_code)
    if data.points == 0:
        raise Problem(422, "validation", "输入有误 Invalid input", "分值不能为 0 (points must not be zero)")
    key = f"manual:{uuid.uuid4()}"
    entry = NewEntry(
        org_code=data.org_code,
        period=data.period or quarter_of(today),
        kind="manual",
        rule_code=MANUAL,
        rule_version=None,
        points=data.points,
        basis=data.basis,
        source_key=key,
        occurred_on=today,
        recorded_by=identity.person_id,
    )
    row = await add_entry(session=session, entry=entry, by=_actor(identity))
    assert row is not None
    return row


async def correct(
    *, session: AsyncSession, identity: Identity, entry_id: str, data: CorrectionIn, today: date
) -> PointsEntry:
    """A compensating entry for ``entry_id``. It counts in the entry's own period unless an approved ranking
    has frozen that period for the unit: then in the current quarter (and the ranking shows a notice)."""
    original = await session.get(PointsEntry, entry_id)
    if original is None or not identity.can_see(original.org_code):
        raise not_found("积分记录 Entry")
    require_above(identity, original.org_code)
    remaining = original.points + (
        await session.scalar(select(func.sum(PointsEntry.points)).where(PointsEntry.corrects == entry_id))
        or Decimal(0)
    )
    points = data.points if data.points is not None else -remaining
    if points == 0:
        raise Problem(
            409, "conflict", "状态冲突 Conflict", "该记录已全部更正, 无可更正的分值 (nothing left to correct)"
        )
    frozen = await is_frozen(session=session, org_code=original.org_code, period=original.period)
    period = quarter_of(today) if frozen else original.period
    note = f"; 原周期 {original.period} 排名已批准, 计入 {period}" if frozen else ""
    entry = NewEntry(
        org_code=original.org_code,
        period=period,
        kind="correction",
        rule_code=CORRECTION,
        rule_version=None,
        points=points,
        basis=f"更正记录 {original.id} ({original.basis}){note}",
        source_key=f"correction:{uuid.uuid4()}",
        occurred_on=today,
        task_id=original.task_id,
        corrects=original.id,
        reason=data.reason,
        approved_by=identity.person_id,
        recorded_by=identity.person_id,
    )
    row = await add_entry(session=session, entry=entry, by=_actor(identity))
    assert row is not None
    return row
