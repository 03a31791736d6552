"""The rule book: shipped versions plus those administrators added. Keyword-only, never commit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.batch import batch_cache
from luoshi_kit.permissions import forbidden
from luoshi_kit.scope import require_in_scope
from luoshi_proto.envelope import CloudEvent
from luoshi_scoring.rulebook.defaults import DEFAULT_RULES, RULE_CODES
from luoshi_scoring.rulebook.models import ScoringRule
from luoshi_scoring.rulebook.rules import RuleVersion, resolve
from luoshi_scoring.rulebook.schemas import RuleVersionIn, RuleVersionOut

_BOOK = "scoring_rulebook"
GLOBAL_DENIED = (
    "全省适用的积分规则只能由省级系统管理员调整 Only a provincial administrator changes province-wide rules"
)


def _version(row: ScoringRule) -> RuleVersion:
    return RuleVersion(
        code=row.code,
        version=row.version,
        title=row.title,
        points=row.points,
        per="working_day" if row.per == "working_day" else "occurrence",
        scope_org=row.scope_org,
        tier=row.tier,
        effective_from=row.effective_from,
        period_kind="year" if row.period_kind == "year" else "quarter",
    )


async def versions(*, session: AsyncSession, code: str | None = None) -> list[RuleVersion]:
    """Every version of ``code`` (or of all codes): the shipped version 1 and those added since."""
    query = select(ScoringRule).order_by(ScoringRule.code, ScoringRule.version)
    if code is not None:
        query = query.where(ScoringRule.code == code)
    added = [_version(r) for r in (await session.scalars(query)).all()]
    shipped = [r for r in DEFAULT_RULES if code is None or r.code == code]
    return shipped + added


async def load_rulebook(*, session: AsyncSession, events: Sequence[CloudEvent[Any]]) -> None:
    """For a consumer's batch (a handler's ``prepare``): every rule version, read once, not per award."""
    book: dict[str | None, Any] = batch_cache(session, _BOOK)
    for version in await versions(session=session):
        book.setdefault(version.code, []).append(version)
    book[None] = True


async def rule_for(*, session: AsyncSession, code: str, org_code: str, day: date) -> RuleVersion | None:
    book: dict[str | None, Any] = batch_cache(session, _BOOK)
    found = book.get(code, []) if None in book else await versions(session=session, code=code)
    return resolve(found, code=code, org_code=org_code, day=day)


async def list_versions(*, session: AsyncSession, code: str | None) -> list[RuleVersionOut]:
    rows = (
        await session.scalars(
            select(ScoringRule)
            .where(*([ScoringRule.code == code] if code else []))
            .order_by(ScoringRule.code, ScoringRule.version)
        )
    ).all()
    shipped = [
        RuleVersionOut(**asdict(r), shipped=True) for r in DEFAULT_RULES if code is None or r.code == code
    ]
    added = [RuleVersionOut.model_validate(r) for r in rows]
    return sorted(shipped + added, key=lambda v: (v.code, v.version))


async def add_version(
    *, session: AsyncSession, identity: Identity, data: RuleVersionIn, today: date
) -> ScoringRule:
    """A new version of a rule. Province-wide: a provincial administrator; a government's or department's
    scope: an administrator or office (督查室/办公厅) of that government or above."""
    if data.code not in RULE_CODES:
        raise Problem(
            422,
            "unknown-rule",
            "规则不存在 Unknown rule",
            f"没有积分规则 {data.code}",
            known=sorted(RULE_CODES),
        )
    if data.effective_from < today:
        raise Problem(
            422,
            "validation",
            "输入有误 Invalid input",
            f"生效日期 {data.effective_from} 早于今天 {today}: 规则调整不追溯 (never applies backwards)",
        )
    if data.scope_org is None:
        if not identity.is_province_admin():
            raise forbidden(GLOBAL_DENIED)
    else:
        require_in_scope(identity, data.scope_org)
    latest = await session.scalar(select(func.max(ScoringRule.version)).where(ScoringRule.code == data.code))
    base = next(r for r in DEFAULT_RULES if r.code == data.code)
    row = ScoringRule(
        id=str(uuid.uuid4()),
        code=data.code,
        version=max(latest or 1, 1) + 1,
        title=data.title or base.title,
        points=data.points,
        per=base.per,
        scope_org=data.scope_org,
        tier=data.tier,
        effective_from=data.effective_from,
        period_kind=data.period_kind or base.period_kind,
        reason=data.reason,
        created_by=identity.person_id,
        created_org=identity.org_code,
    )
    session.add(row)
    await session.flush()  # the (code, version) constraint decides a race between two editors
    return row
