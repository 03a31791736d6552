"""The OAuth2 client-credentials grant (RFC 6749 §4.4) of the token endpoint, for machine clients.

The client authenticates with its secret (HTTP Basic or ``client_id``/``client_secret`` in the form) or with
a JWT it signed with its registered key (RFC 7523 ``private_key_jwt``). Failures share one answer and are
throttled per client and address like sign-ins; every outcome is audited.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from urllib.parse import unquote

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.audit.service import AuditFields, record, record_alone
from luoshi_gateway.auth import throttle
from luoshi_gateway.auth.schemas import TokenOut
from luoshi_gateway.auth.tokens import issue_access_token
from luoshi_gateway.clients.models import MachineClient
from luoshi_gateway.clients.service import ASSERTION_TYPE, identity_of, verify_assertion, verify_secret
from luoshi_gateway.config import GatewaySettings
from luoshi_kit.errors import Problem
from luoshi_kit.forwarded import client_address

_WRONG = "客户端认证失败 Client authentication failed"


def basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        client_id, _, secret = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return unquote(client_id), unquote(secret)  # RFC 6749 §2.3.1: form-urlencoded before base64


def _bad_request(detail: str) -> Problem:
    return Problem(400, "invalid-client-request", "令牌请求无效 Invalid token request", detail)


async def client_token(
    *,
    request: Request,
    session: AsyncSession,
    policy: throttle.Policy,
    client_id: str | None,
    client_secret: str | None,
    assertion_type: str | None,
    assertion: str | None,
) -> TokenOut:
    settings: GatewaySettings = request.app.state.settings
    now = datetime.now(UTC)
    basic = basic_credentials(request)
    if basic is not None:
        client_id, client_secret = basic
    if assertion is not None and assertion_type != ASSERTION_TYPE:
        raise _bad_request(f"client_assertion_type 须为 {ASSERTION_TYPE}")
    if not client_id or not (client_secret or assertion):
        raise _bad_request("需要 client_id 及 client_secret 或 client_assertion")
    client_id = client_id[:64]
    address = client_address(request, settings.trusted_proxies) or "unknown"
    throttle_name = f"client:{client_id}"
    async with session.begin():
        reservation = await throttle.reserve_attempt(
            session=session, username=throttle_name, address=address, now=now, policy=policy
        )
        client = await session.get(MachineClient, client_id)
        ok = False
        if reservation.refused_until is None:
            if assertion is not None:
                token_url = str(request.url).split("?")[0]
                audiences = [token_url, settings.token_audience]
                ok = await verify_assertion(
                    session=session, client=client, assertion=assertion, audiences=audiences, now=now
                )
            else:
                ok = await verify_secret(client, client_secret or "", now)
    if not ok or client is None or not client.active:
        reason = "locked" if reservation.refused_until else "inactive" if ok else "wrong credentials"
        failed = AuditFields(
            action="auth.client_token",
            actor_id=client_id,
            actor_username=client_id,
            outcome="failure",
            details={"reason": reason},
        )
        await record_alone(request=request, **failed)
        raise Problem(401, "invalid-client", _WRONG)
    identity = identity_of(client)
    async with session.begin():
        await throttle.succeeded(session=session, username=throttle_name, address=address)
        record(session=session, request=request, action="auth.client_token", actor=identity)
    minutes = settings.machine_token_minutes
    token = issue_access_token(identity, settings.jwt_secret, minutes, typ="machine")
    return TokenOut(access_token=token, expires_in=minutes * 60)
