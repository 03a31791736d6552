"""Access tokens (JWT, HS256) the gateway issues on sign-in; they carry the person's identity."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt

from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity

_AUDIENCE = "luoshi"
ALGORITHM = "HS256"


def issue_access_token(
    identity: Identity, secret: str, minutes: int, *, family_id: str | None = None, typ: str = "access"
) -> str:
    """A person's access token (``typ`` access) or a machine client's (``typ`` machine, no refresh)."""
    now = int(time.time())
    claims = {
        **identity.model_dump(),
        "sub": identity.person_id,
        "aud": _AUDIENCE,
        "iat": now,
        "exp": now + minutes * 60,
        "jti": str(uuid.uuid4()),
        "typ": typ,
    }
    if family_id:
        claims["sid"] = family_id  # the refresh family of this sign-in; sign-out revokes it
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_access_token(token: str, secret: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=_AUDIENCE,
            options={"require": ["exp", "sub", "jti"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise unauthenticated("令牌已过期 Token expired") from exc
    except jwt.PyJWTError as exc:
        raise unauthenticated("令牌无效 Invalid token") from exc
    if claims.get("typ") not in ("access", "machine"):
        raise unauthenticated("令牌类型错误 Wrong token type")
    return claims


def unauthenticated(detail: str) -> Problem:
    return Problem(401, "unauthenticated", "未认证 Not authenticated", detail)
