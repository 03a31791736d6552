"""Who is acting: the identity the gateway forwards to services, signed so it cannot be forged."""

from __future__ import annotations

import time

import jwt
from fastapi import Request
from pydantic import BaseModel

from luoshi_kit.errors import Problem
from luoshi_kit.tokencache import TokenCache
from luoshi_proto.divisions import is_within, level_of

IDENTITY_HEADER = "X-Luoshi-Identity"
_AUDIENCE = "luoshi-internal"
_TTL_SECONDS = 120
_REUSE_SECONDS = 30  # a signed identity is forwarded again for this long: it has ≥ 90 s left at any use
_SIGNED: TokenCache[str] = TokenCache()
_VERIFIED: TokenCache[Identity] = TokenCache()


class Identity(BaseModel):
    person_id: str
    username: str
    display_name: str
    org_code: str
    roles: list[str]

    def has_any(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    def is_province_admin(self) -> bool:
        """An administrator of a provincial government: the one who sets province-wide rules
        (the working-day calendar, deadline and study rules)."""
        return "admin" in self.roles and len(self.org_code) == 12 and level_of(self.org_code) == "province"

    def can_see(self, org_code: str) -> bool:
        """A person acts within their organisation's subtree, never on siblings or superiors."""
        return is_within(org_code, self.org_code)


def sign_identity(identity: Identity, secret: str) -> str:
    """The identity as a short-lived HS256 token; the same identity within ``_REUSE_SECONDS`` gets the
    same token (each use still has most of its two minutes left)."""
    key = (secret, identity.person_id, identity.username, identity.display_name, identity.org_code,
           tuple(identity.roles))  # fmt: skip
    token = _SIGNED.get(key)
    if token is None:
        now = int(time.time())
        claims = {**identity.model_dump(), "aud": _AUDIENCE, "iat": now, "exp": now + _TTL_SECONDS}
        token = jwt.encode(claims, secret, algorithm="HS256")
        _SIGNED.put(key, now + _REUSE_SECONDS, token)
    return token


def verify_identity(token: str, secret: str) -> Identity:
    """The identity a signed token carries; a token verified before answers from the cache until it
    expires (``luoshi_kit.tokencache``)."""
    known = _VERIFIED.get((secret, token))
    if known is not None:
        return known.model_copy(update={"roles": list(known.roles)})
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=_AUDIENCE)
    except jwt.PyJWTError as exc:
        raise Problem(401, "unauthenticated", "未认证 Not authenticated", f"无效的内部身份: {exc}") from exc
    identity = Identity.model_validate(claims)
    if isinstance(claims.get("exp"), int | float):
        _VERIFIED.put((secret, token), float(claims["exp"]), identity)
    return identity.model_copy(update={"roles": list(identity.roles)})


async def current_identity(request: Request) -> Identity:
    """FastAPI dependency: the signed identity the gateway forwarded; a direct caller without it gets 401."""
    token = request.headers.get(IDENTITY_HEADER)
    if not token:
        raise Problem(401, "unauthenticated", "未认证 Not authenticated", "缺少网关签发的身份 (请经网关访问)")
    return verify_identity(token, request.app.state.settings.internal_secret)
