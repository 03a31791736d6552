"""Public clues (线索): intake, lookup by receipt, the office's list and triage.

Keyword-only, never commit."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.errors import Problem, not_found
from luoshi_kit.identity import Identity
from luoshi_kit.messaging.outbox import add_event
from luoshi_kit.orgtree import within_subtree
from luoshi_kit.permissions import forbidden
from luoshi_kit.scope import require_in_scope
from luoshi_proto.divisions import is_below
from luoshi_proto.supervision.v1 import ClueOutcome, ClueReceived, ClueRef, ClueTriaged
from luoshi_proto.tasking.v1 import Actor
from luoshi_supervision.clues import rules
from luoshi_supervision.clues.models import Clue
from luoshi_supervision.clues.rules import ClueState
from luoshi_supervision.clues.schemas import ClueIn, ClueOut, ClueStatusOut, ClueTriageIn

SOURCE = "supervision"
_NO_SUCH_RECEIPT = "没有与该受理编号和查询密码相符的线索 No clue matches this receipt number and secret"


def clue_ref(clue: Clue) -> ClueRef:
    return ClueRef(
        clue_id=clue.id,
        receipt_no=clue.receipt_no,
        org_code=clue.org_code,
        category=clue.category,
        received_at=clue.received_at,
    )


async def _lock_address(session: AsyncSession, key: str) -> None:
    """Concurrent submissions from one address wait on each other, so the count below is exact."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": key})


async def receive(
    *,
    session: AsyncSession,
    data: ClueIn,
    address: str,
    address_secret: str,
    per_hour: int,
    today: date,
    now: datetime,
) -> tuple[Clue, str]:
    """Take a clue in (429 past the address's hourly limit, nothing written); the clue and its secret."""
    key = rules.address_key(address, address_secret)
    await _lock_address(session, key)
    recent = await session.scalar(
        select(func.count())
        .select_from(Clue)
        .where(Clue.address_key == key, Clue.received_at > now - timedelta(hours=1))
    )
    if rules.over_limit(int(recent or 0), per_hour):
        raise Problem(
            429,
            "too-many-clues",
            "提交过于频繁 Too many clues",
            f"同一来源每小时最多提交 {per_hour} 条线索, 请稍后再试 At most {per_hour} clues per hour",
        )
    secret = rules.new_secret()
    receipt_no = rules.new_receipt_no(today)
    while await session.scalar(select(Clue.id).where(Clue.receipt_no == receipt_no)):
        receipt_no = rules.new_receipt_no(today)
    clue = Clue(
        id=str(uuid.uuid4()),
        receipt_no=receipt_no,
        secret_hash=rules.secret_hash(secret),
        received_org=data.org_code,
        org_code=data.org_code,
        category=data.category,
        channel=data.channel,
        content=data.content,
        reporter_name=data.reporter_name,
        reporter_contact=data.reporter_contact,
        address_key=key,
        state="received",
        received_at=now,
        updated_at=now,
    )
    session.add(clue)
    add_event(
        session=session,
        source=SOURCE,
        orgcode=clue.org_code,
        subject=clue.id,
        data=ClueReceived(clue=clue_ref(clue), at=now, channel=clue.channel),
    )
    await session.flush()
    return clue, secret


async def lookup(*, session: AsyncSession, receipt_no: str, secret: str) -> ClueStatusOut:
    """The reporter's view; a wrong secret and an unknown number answer the same 404."""
    clue = (await session.scalars(select(Clue).where(Clue.receipt_no == receipt_no))).one_or_none()
    # Hash even when there is no clue, so the answer takes as long either way.
    stored = clue.secret_hash if clue else rules.secret_hash("")
    if not rules.secret_matches(secret, stored) or clue is None:
        raise not_found("线索 Clue", _NO_SUCH_RECEIPT)
    return ClueStatusOut(
        receipt_no=clue.receipt_no,
        status=clue.state,
        status_zh=rules.STATUS_ZH[clue.state],
        outcome=clue.outcome,
        reply=clue.reply,
        received_at=clue.received_at,
        updated_at=clue.updated_at,
    )


def clue_out(clue: Clue, identity: Identity) -> ClueOut:
    out = ClueOut.model_validate(clue)
    if not rules.sees_reporter(identity):
        out.reporter_name = out.reporter_contact = None
    return out


async def get_clue(
    *, session: AsyncSession, identity: Identity, clue_id: str, for_update: bool = False
) -> Clue:
    query = select(Clue).where(Clue.id == clue_id)
    if for_update:
        query = query.with_for_update()
    clue = (await session.scalars(query)).one_or_none()
    if clue is None or not identity.can_see(clue.org_code):
        raise not_found("线索 Clue")
    if not rules.may_read(identity):  # after the lookup: a guessed id is 404 for everyone
        raise forbidden(rules.READ_DENIED)
    return clue


def list_query(*, identity: Identity, org: str | None, state: ClueState | None) -> Select[Clue]:
    require_in_scope(identity, org)
    query = select(Clue).where(within_subtree(Clue.org_code, org or identity.org_code))
    if state:
        query = query.where(Clue.state == state)
    return query.order_by(Clue.received_at.desc(), Clue.id)


async def triage(
    *, session: AsyncSession, identity: Identity, clue_id: str, data: ClueTriageIn, now: datetime
) -> Clue:
    """The handling office decides; a referral hands the clue down to a government below it."""
    clue = await get_clue(session=session, identity=identity, clue_id=clue_id, for_update=True)
    if not rules.may_triage(identity) or identity.org_code != clue.org_code:
        raise forbidden(rules.TRIAGE_DENIED + " (受理单位的督查室 the handling office)")
    if clue.state not in rules.OPEN_STATES:
        raise Problem(409, "clue-already-triaged", "线索已办理 Clue already handled", f"结果: {clue.outcome}")
    outcome: ClueOutcome = data.outcome
    target = data.target_ref
    if outcome == "referral":
        referred = data.referred_to or ""  # the schema requires it for a referral
        require_in_scope(identity, referred)
        if not is_below(referred, clue.org_code):
            raise Problem(
                422,
                "referral-not-below",
                "只能转交下级政府 Referral goes down only",
                "转交对象须为本级以下的政府 The clue can only be referred to a government below",
            )
        target = referred
        clue.org_code, clue.state = referred, "referred"
    else:
        clue.state = "triaged"
    clue.outcome, clue.target_ref, clue.reason = outcome, target, data.reason
    clue.reply = rules.reply_for(outcome, data.reply)
    clue.triaged_by, clue.triaged_at, clue.updated_at = identity.person_id, now, now
    add_event(
        session=session,
        source=SOURCE,
        orgcode=clue.org_code,
        subject=clue.id,
        data=ClueTriaged(
            clue=clue_ref(clue),
            by=Actor(person_id=identity.person_id, org_code=identity.org_code),
            at=now,
            outcome=outcome,
            target_id=target,
            reason=data.reason,
        ),
    )
    await session.flush()
    return clue
