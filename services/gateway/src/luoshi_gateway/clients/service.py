"""Machine clients: registered by an administrator of a scope, signed in with OAuth2 client credentials.

Keyword-only, never commit; the route owns the transaction. Refusals are audited like a person's.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from fastapi import Request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.audit.service import deny, record
from luoshi_gateway.auth.passwords import hash_password, verify_password
from luoshi_gateway.clients.models import MachineClient, UsedAssertion
from luoshi_gateway.clients.rules import ACTIONS, new_client_id, new_secret, roles_for, unknown_actions
from luoshi_gateway.clients.schemas import ClientCreate, ClientPatch
from luoshi_gateway.orgs.models import Org
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.orgtree import within_subtree
from luoshi_kit.paging import PageParams, fetch_page

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"]
MAX_ASSERTION_LIFETIME = timedelta(minutes=10)
_DENIED = "只有本级及上级管理员可管理接入系统 Only administrators of the scope manage machine clients"


def identity_of(client: MachineClient) -> Identity:
    return Identity(
        person_id=client.id,
        username=client.id,
        display_name=client.name,
        org_code=client.org_code,
        roles=roles_for(list(client.actions)),
    )


def _audit(
    *,
    session: AsyncSession,
    request: Request,
    actor: Identity,
    action: str,
    client: MachineClient,
    details: dict[str, Any],
) -> None:
    record(
        session=session,
        request=request,
        action=action,
        actor=actor,
        target_type="client",
        target_id=client.id,
        target_org=client.org_code,
        details=details,
    )


def client_not_found() -> Problem:
    return Problem(404, "not-found", "接入系统不存在 Machine client not found")


def _check_actions(actions: list[str]) -> None:
    unknown = unknown_actions(actions)
    if unknown:
        raise Problem(
            422,
            "unknown-action",
            "未知的授权事项 Unknown action",
            f"{', '.join(unknown)}; 可选: {', '.join(ACTIONS)}",
        )


def _check_public_key(pem: str | None) -> None:
    if pem is None:
        return
    try:
        load_pem_public_key(pem.encode())
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise Problem(
            422, "invalid-public-key", "公钥格式无效 Invalid public key", "需要 PEM 格式的公钥"
        ) from exc


async def _require_admin_of(*, request: Request, actor: Identity, org_code: str, action: str) -> None:
    if not actor.can_see(org_code):
        raise client_not_found()
    if "admin" not in actor.roles:
        raise await deny(request=request, actor=actor, action=action, detail=_DENIED, target_org=org_code)


async def register_client(
    *, session: AsyncSession, request: Request, actor: Identity, data: ClientCreate, now: datetime
) -> tuple[MachineClient, str]:
    if not actor.can_see(data.org_code):
        raise Problem(404, "not-found", "单位不存在 Organisation not found")
    await _require_admin_of(request=request, actor=actor, org_code=data.org_code, action="client.create")
    org = await session.get(Org, data.org_code)
    if org is None or not org.active:
        raise Problem(404, "not-found", "单位不存在 Organisation not found")
    _check_actions(data.actions)
    _check_public_key(data.public_key_pem)
    secret = new_secret()
    client = MachineClient(
        id=new_client_id(),
        name=data.name,
        org_code=data.org_code,
        actions=list(dict.fromkeys(data.actions)),
        secret_hash=await asyncio.to_thread(hash_password, secret),
        public_key_pem=data.public_key_pem,
        active=True,
        created_by=actor.person_id,
        created_at=now,
    )
    session.add(client)
    _audit(
        session=session,
        request=request,
        actor=actor,
        action="client.create",
        client=client,
        details={"actions": client.actions},
    )
    return client, secret


async def _require_reader(*, request: Request, actor: Identity, org_code: str | None = None) -> None:
    if not actor.has_any("admin", "office"):
        detail = "只有管理员和督查室可查看接入系统 Only administrators and the office read machine clients"
        raise await deny(
            request=request, actor=actor, action="client.read", detail=detail, target_org=org_code
        )


async def list_clients(
    *, session: AsyncSession, request: Request, actor: Identity, page: PageParams
) -> tuple[list[MachineClient], int, bool]:
    await _require_reader(request=request, actor=actor)
    query = select(MachineClient)
    if len(actor.org_code) == 12:
        query = query.where(within_subtree(MachineClient.org_code, actor.org_code))
    else:
        query = query.where(MachineClient.org_code == actor.org_code)
    return await fetch_page(session, query.order_by(MachineClient.org_code, MachineClient.id), page)


async def get_client(
    *, session: AsyncSession, request: Request, actor: Identity, client_id: str
) -> MachineClient:
    """A client of the caller's subtree (anyone else's is 404), for administrators and the office."""
    client = await session.get(MachineClient, client_id)
    if client is None or not actor.can_see(client.org_code):
        raise client_not_found()
    await _require_reader(request=request, actor=actor, org_code=client.org_code)
    return client


async def change_client(
    *, session: AsyncSession, request: Request, actor: Identity, client: MachineClient, patch: ClientPatch
) -> MachineClient:
    await _require_admin_of(request=request, actor=actor, org_code=client.org_code, action="client.change")
    changes = patch.model_dump(exclude_unset=True)
    for required in ("name", "actions", "active"):
        if required in changes and changes[required] is None:
            raise Problem(422, "validation", "输入有误 Invalid input", f"{required} 不能为空 cannot be null")
    if "actions" in changes:
        _check_actions(changes["actions"])
        changes["actions"] = list(dict.fromkeys(changes["actions"]))
    _check_public_key(changes.get("public_key_pem"))
    for name, value in changes.items():
        setattr(client, name, value)
    _audit(
        session=session,
        request=request,
        actor=actor,
        action="client.change",
        client=client,
        details={"changed": sorted(changes)},
    )
    return client


async def rotate_secret(
    *,
    session: AsyncSession,
    request: Request,
    actor: Identity,
    client: MachineClient,
    overlap: timedelta,
    now: datetime,
) -> str:
    """A new secret; the old one keeps working for ``overlap``: the other platform switches without a gap."""
    await _require_admin_of(request=request, actor=actor, org_code=client.org_code, action="client.rotate")
    secret = new_secret()
    client.previous_secret_hash = client.secret_hash if overlap > timedelta(0) else None
    client.previous_secret_until = now + overlap if overlap > timedelta(0) else None
    client.secret_hash = await asyncio.to_thread(hash_password, secret)
    _audit(
        session=session,
        request=request,
        actor=actor,
        action="client.rotate",
        client=client,
        details={"overlap_hours": overlap.total_seconds() / 3600},
    )
    return secret


async def verify_secret(client: MachineClient | None, secret: str, now: datetime) -> bool:
    """The current secret, or the previous one within its overlap. Unknown clients cost the same."""
    if await asyncio.to_thread(verify_password, client.secret_hash if client else None, secret):
        return True
    if client is None or client.previous_secret_hash is None or client.previous_secret_until is None:
        return False
    until = client.previous_secret_until.replace(tzinfo=client.previous_secret_until.tzinfo or UTC)
    return now < until and await asyncio.to_thread(verify_password, client.previous_secret_hash, secret)


async def verify_assertion(
    *,
    session: AsyncSession,
    client: MachineClient | None,
    assertion: str,
    audiences: list[str],
    now: datetime,
) -> bool:
    """RFC 7523 ``private_key_jwt``: signed with the client's registered key, iss = sub = client_id, aimed
    at us, short-lived, and its ``jti`` used once."""
    if client is None or not client.public_key_pem:
        return False
    try:
        claims = jwt.decode(
            assertion,
            client.public_key_pem,
            algorithms=ASSERTION_ALGORITHMS,
            audience=audiences,
            options={"require": ["exp", "iss", "sub", "jti"]},
        )
    except jwt.PyJWTError:
        return False
    expires = datetime.fromtimestamp(int(claims["exp"]), UTC)
    if claims["iss"] != client.id or claims["sub"] != client.id or expires - now > MAX_ASSERTION_LIFETIME:
        return False
    jti = str(claims["jti"])[:200]
    await session.execute(delete(UsedAssertion).where(UsedAssertion.expires_at < now))
    if await session.get(UsedAssertion, jti) is not None:
        return False
    try:
        async with session.begin_nested():  # two requests racing with one assertion: one wins
            session.add(UsedAssertion(jti=jti, client_id=client.id, expires_at=expires))
    except IntegrityError:
        return False
    return True
