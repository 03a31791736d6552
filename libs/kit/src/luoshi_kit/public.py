"""Callers of the public portal (公开门户): no sign-in, but the gateway vouches for where they came from.

The gateway forwards ``/api/v1/public/...`` to the owning service with ``X-Luoshi-Public-Caller``: a
short-lived token, signed with the internal secret, naming the client's address (as
``luoshi_kit.forwarded`` determined it). A service's public route depends on ``PublicCallerDep`` to
rate-limit per address; a direct caller without the gateway's token gets 401, so nobody can pick the
address a limit counts against.
"""

from __future__ import annotations

import time
from typing import Annotated

import jwt
from fastapi import Depends, Request
from pydantic import BaseModel

from luoshi_kit.errors import Problem

PUBLIC_CALLER_HEADER = "X-Luoshi-Public-Caller"
_AUDIENCE = "luoshi-public"
_TTL_SECONDS = 120


class PublicCaller(BaseModel):
    address: str


def sign_public_caller(address: str, secret: str) -> str:
    now = int(time.time())
    return jwt.encode(
        {"address": address, "aud": _AUDIENCE, "iat": now, "exp": now + _TTL_SECONDS}, secret, "HS256"
    )


def verify_public_caller(token: str, secret: str) -> PublicCaller:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=_AUDIENCE)
    except jwt.PyJWTError as exc:
        raise Problem(
            401, "unauthenticated", "未认证 Not authenticated", f"无效的公开访问凭据: {exc}"
        ) from exc
    return PublicCaller.model_validate(claims)


async def public_caller(request: Request) -> PublicCaller:
    token = request.headers.get(PUBLIC_CALLER_HEADER)
    if not token:
        raise Problem(
            401, "unauthenticated", "未认证 Not authenticated", "缺少网关签发的公开访问凭据 (请经网关访问)"
        )
    return verify_public_caller(token, request.app.state.settings.internal_secret)


PublicCallerDep = Annotated[PublicCaller, Depends(public_caller)]
