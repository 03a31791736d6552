"""Access tokens (JWT, HS256) the gateway issues on sign-in; they carry the person's identity."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt

from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_kit.tokencache import TokenCache

_AUDIENCE = "luoshi"
ALGORITHM = "HS256"
_VERIFIED: TokenCache[dict[str, Any]] = TokenCache()  # token -> its claims, until it expires


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


def verified_claims(token: str, secret: str) -> dict[str, Any] | None:
    """The claims of an access token this process verified before and that has not expired yet."""
    return _VERIFIED.get((secret, token))


def decode_access_token(token: str, secret: str) -> dict[str, Any]:
    """The claims of a valid access token (the signature, audience, expiry and type checked); a token
    verified before answers from the cache until it expires (``luoshi_kit.tokencache``)."""
    known = verified_claims(token, secret)
    if known is not None:
        return known
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
    _VERIFIED.put((secret, token), float(claims["exp"]), claims)
    return claims


def unauthenticated(detail: str) -> Problem:
    return Problem(401, "unauthenticated", "未认证 Not authenticated", detail)
