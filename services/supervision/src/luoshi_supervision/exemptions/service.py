"""Exemptions in force (免督查): which of some organisations are exempt during a period."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.orgtree import within_subtree
from luoshi_supervision.exemptions.models import Exemption


def in_force_during(start: date, end: date) -> ColumnElement[bool]:
    """Not ended early, and its days meet ``start``..``end``."""
    return (Exemption.ended_at.is_(None)) & (Exemption.starts_on <= end) & (Exemption.ends_on >= start)


async def blocking(*, session: AsyncSession, orgs: list[str], start: date, end: date) -> list[Exemption]:
    if not orgs:
        return []
    query = select(Exemption).where(Exemption.org_code.in_(orgs), in_force_during(start, end))
    return list((await session.scalars(query.order_by(Exemption.org_code))).all())


def refuse(exemptions: list[Exemption]) -> Problem:
    named = "; ".join(f"{e.org_code} ({e.starts_on}–{e.ends_on}, {e.basis})" for e in exemptions)
    return Problem(
        422,
        "inspection-exempt",
        "被督查单位免督查 Target is exempt from inspection",
        f"以下单位在督查期间免督查, 只能安排线索驱动的暗访或再督查 these units are exempt during the "
        "planned period; only a clue-driven unannounced inspection or a re-inspection may target "
        f"them: {named}",
        units=sorted({e.org_code for e in exemptions}),
    )


async def list_exemptions(*, session: AsyncSession, identity: Identity, day: date | None) -> list[Exemption]:
    query = select(Exemption).where(within_subtree(Exemption.org_code, identity.org_code))
    if day is not None:
        query = query.where(in_force_during(day, day))
    return list(
        (await session.scalars(query.order_by(Exemption.org_code, Exemption.starts_on).limit(500))).all()
    )
