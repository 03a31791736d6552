"""Writing and reading the audit trail. Keyword-only; ``record`` never commits.

An administrative change records itself with ``record`` in the transaction of the change; a failed
sign-in or a denial has no transaction of its own to join, so ``record_alone`` writes it in a small one.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, Required, TypedDict, Unpack

from fastapi import Request
from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.audit.models import AuditRecord
from luoshi_kit.errors import Problem
from luoshi_kit.forwarded import client_address
from luoshi_kit.identity import Identity
from luoshi_proto.divisions import division_parts, level_of

log = logging.getLogger(__name__)


def client_of(request: Request | None) -> tuple[str | None, str | None]:
    if request is None:
        return None, None
    ip = client_address(request, request.app.state.settings.trusted_proxies)
    agent = request.headers.get("user-agent")
    return ip, agent[:300] if agent else None


class AuditFields(TypedDict, total=False):
    """What ``record`` and ``record_alone`` take besides the request (``new_record``'s keywords)."""

    action: Required[str]
    outcome: str
    actor: Identity | None
    actor_username: str | None
    actor_id: str | None
    actor_org: str | None
    target_type: str | None
    target_id: str | None
    target_org: str | None
    details: dict[str, Any] | None


def new_record(
    *,
    request: Request | None,
    action: str,
    outcome: str = "success",
    actor: Identity | None = None,
    actor_username: str | None = None,
    actor_id: str | None = None,
    actor_org: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    target_org: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditRecord:
    ip, agent = client_of(request)
    return AuditRecord(
        at=datetime.now(UTC),
        action=action,
        outcome=outcome,
        actor_id=actor.person_id if actor else actor_id,
        actor_username=actor.username if actor else actor_username,
        actor_org=actor.org_code if actor else actor_org,
        target_type=target_type,
        target_id=target_id,
        target_org=target_org,
        ip=ip,
        user_agent=agent,
        route=f"{request.method} {request.url.path}" if request else None,
        details=details or {},
    )


def record(*, session: AsyncSession, request: Request | None, **fields: Unpack[AuditFields]) -> AuditRecord:
    """Stage an audit row in the caller's transaction."""
    row = new_record(request=request, **fields)
    session.add(row)
    return row


async def record_alone(*, request: Request, **fields: Unpack[AuditFields]) -> None:
    """Write an audit row in its own transaction (the request's work is being refused or failed)."""
    try:
        async with request.app.state.sessionmaker() as session, session.begin():
            session.add(new_record(request=request, **fields))
    except Exception:  # an audit outage must not turn a 401/403 into a 500
        log.exception("could not write audit record", extra={"action": fields.get("action")})


async def deny(
    *,
    request: Request,
    actor: Identity,
    action: str,
    detail: str,
    target_type: str | None = None,
    target_id: str | None = None,
    target_org: str | None = None,
) -> Problem:
    """Record a permission denial and return the 403 problem to raise."""
    await record_alone(
        request=request,
        action=action,
        outcome="denied",
        actor=actor,
        target_type=target_type,
        target_id=target_id,
        target_org=target_org,
        details={"reason": detail},
    )
    problem = Problem(403, "forbidden", "无权操作 Forbidden", detail)
    problem.audited = True  # type: ignore[attr-defined]
    return problem


def _within(column: Any, scope: str) -> ColumnElement[bool]:
    if len(scope) > 12:
        return column == scope
    return column.startswith("".join(division_parts(scope)))


async def list_records(
    *,
    session: AsyncSession,
    org: str,
    action: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> list[AuditRecord]:
    """Records whose actor or target lies in ``org``'s subtree (the caller checked ``org`` is theirs).

    Records tied to no organisation (failed sign-ins of unknown usernames) belong to the top of the
    tree: only a province-level scope sees them.
    """
    unplaced: ColumnElement[bool] = false()
    if len(org) == 12 and level_of(org) == "province":
        unplaced = AuditRecord.actor_org.is_(None) & AuditRecord.target_org.is_(None)
    query = select(AuditRecord).where(
        or_(_within(AuditRecord.actor_org, org), _within(AuditRecord.target_org, org), unplaced)
    )
    if action:
        query = query.where(AuditRecord.action == action)
    if since:
        query = query.where(AuditRecord.at >= since)
    if until:
        query = query.where(AuditRecord.at < until)
    rows = await session.scalars(query.order_by(AuditRecord.at.desc(), AuditRecord.id.desc()).limit(limit))
    return list(rows.all())
