"""Access tokens (JWT, HS256) the gateway issues on sign-in; they carry the person's identity."""

from __future__ import annotations

import time
import uuid

import jwt

from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity

_AUDIENCE = "luoshi"


def issue_access_token(identity: Identity, secret: str, minutes: int) -> str:
    now = int(time.time())
    claims = {
        **identity.model_dump(),
        "sub": identity.person_id,
        "aud": _AUDIENCE,
        "iat": now,
        "exp": now + minutes * 60,
        "jti": str(uuid.uuid4()),
        "typ": "access",
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def read_access_token(token: str, secret: str) -> Identity:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=_AUDIENCE)
    except jwt.ExpiredSignatureError as exc:
        raise _unauthenticated("令牌已过期 Token expired") from exc
    except jwt.PyJWTError as exc:
        raise _unauthenticated("令牌无效 Invalid token") from exc
    if claims.get("typ") != "access":
        raise _unauthenticated("令牌类型错误 Wrong token type")
    return Identity.model_validate(claims)


def _unauthenticated(detail: str) -> Problem:
    return Problem(401, "unauthenticated", "未认证 Not authenticated", detail)
