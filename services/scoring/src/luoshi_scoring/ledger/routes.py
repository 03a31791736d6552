"""HTTP routes of the points ledger (积分): standing pages, entries, manual items, corrections, check."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlalchemy import select

from luoshi_kit.db import snapshot_reads
from luoshi_kit.deps import SessionDep
from luoshi_kit.errors import not_found
from luoshi_kit.idempotency import IdempotencyKeyDep, idempotent
from luoshi_kit.identity import Identity
from luoshi_kit.paging import PageDep
from luoshi_kit.permissions import IdentityDep, ProvinceAdmin, require_roles
from luoshi_kit.scope import require_in_scope
from luoshi_kit.timebase import business_today
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_scoring.ledger import manual
from luoshi_scoring.ledger.check import CheckResult, recompute
from luoshi_scoring.ledger.models import PointsEntry
from luoshi_scoring.ledger.schemas import (
    CorrectionIn,
    EntryDetail,
    EntryOut,
    EntryPage,
    ManualEntryIn,
    StandingOut,
    StandingPage,
)
from luoshi_scoring.ledger.service import corrections_of, standing_of
from luoshi_scoring.orgs.service import names_of
from luoshi_scoring.periods import PERIOD_PATTERN, quarter_of

router = APIRouter(prefix="/api/v1/points", tags=["points 积分"])

Scorer = Annotated[Identity, Depends(require_roles(*manual.SCORING_ROLES, detail=manual.SCORING_DENIED))]
OrgPath = Annotated[str, Path(pattern=CODE_PATTERN)]
PeriodQuery = Annotated[str | None, Query(pattern=PERIOD_PATTERN, description="考核周期; 空为本季度")]


@router.get("/check", response_model=CheckResult, summary="积分对账 Recompute standings from the ledger")
async def check(
    session: SessionDep,
    identity: ProvinceAdmin,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
) -> CheckResult:
    return await recompute(session=session, period=period)


@router.get("/standings/{org_code}", response_model=StandingPage, summary="单位积分 A unit's standing page")
async def standing_page(
    org_code: OrgPath, session: SessionDep, identity: IdentityDep, page: PageDep, period: PeriodQuery = None
) -> StandingPage:
    require_in_scope(identity, org_code)
    wanted = period or quarter_of(business_today())
    await snapshot_reads(session)  # the figures and the entries listed from the same commits
    standing = await standing_of(session=session, org_code=org_code, period=wanted)
    names = await names_of(session=session, codes=[org_code])
    out = StandingOut(
        org_code=org_code,
        name=names.get(org_code),
        period=wanted,
        points=standing.points if standing else Decimal("0.00"),
        entries=standing.entries if standing else 0,
        deductions=standing.deductions if standing else 0,
        negative=standing.negative if standing else 0,
    )
    query = select(PointsEntry).where(PointsEntry.org_code == org_code)
    if len(wanted) == 6:
        query = query.where(PointsEntry.period == wanted)
    else:
        query = query.where(PointsEntry.period.in_([wanted, *(f"{wanted}Q{q}" for q in range(1, 5))]))
    # The standing counts exactly these entries (every entry adds 1 to its quarter's and its year's
    # standing; the recompute check proves it), so the page needs no count of its own.
    ordered = query.order_by(PointsEntry.recorded_at.desc(), PointsEntry.id)
    rows = (await session.scalars(ordered.offset(page.offset).limit(page.limit))).all()
    entries = EntryPage.of([EntryOut.model_validate(r) for r in rows], out.entries, page)
    return StandingPage(standing=out, entries=entries)


@router.get(
    "/entries/{entry_id}", response_model=EntryDetail, summary="积分记录 An entry and its corrections"
)
async def get_entry(entry_id: str, session: SessionDep, identity: IdentityDep) -> EntryDetail:
    entry = await session.get(PointsEntry, entry_id)
    if entry is None or not identity.can_see(entry.org_code):
        raise not_found("积分记录 Entry")
    corrections = await corrections_of(session=session, entry_id=entry_id)
    detail = EntryDetail.model_validate(entry)
    detail.corrections = [EntryOut.model_validate(c) for c in corrections]
    return detail


@router.post(
    "/entries", status_code=201, response_model=EntryOut, summary="手工记分 A manual item with its basis"
)
async def add_manual(
    body: ManualEntryIn, request: Request, session: SessionDep, identity: Scorer, key: IdempotencyKeyDep
) -> Response:
    async def work() -> EntryOut:
        row = await manual.add_manual(session=session, identity=identity, data=body, today=business_today())
        await session.flush()
        return EntryOut.model_validate(row)

    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=body, status_code=201, work=work
    )


@router.post(
    "/entries/{entry_id}/corrections",
    status_code=201,
    response_model=EntryOut,
    summary="更正积分 A compensating entry (with reason and approver)",
)
async def correct(
    entry_id: str,
    body: CorrectionIn,
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
    key: IdempotencyKeyDep,
) -> Response:
    """Who may: a principal, office or administrator of a government above the unit (checked once the entry
    is found: a guessed id is 404 for everyone)."""

    async def work() -> EntryOut:
        row = await manual.correct(
            session=session, identity=identity, entry_id=entry_id, data=body, today=business_today()
        )
        await session.flush()
        return EntryOut.model_validate(row)

    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=body, status_code=201, work=work
    )
