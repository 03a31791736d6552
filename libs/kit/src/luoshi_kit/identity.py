"""Who is acting: the identity the gateway forwards to services, signed so it cannot be forged."""

from __future__ import annotations

import time

import jwt
from fastapi import Request
from pydantic import BaseModel

from luoshi_kit.errors import Problem
from luoshi_proto.divisions import is_within, level_of

IDENTITY_HEADER = "X-Luoshi-Identity"
_AUDIENCE = "luoshi-internal"
_TTL_SECONDS = 120


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
    now = int(time.time())
    claims = {**identity.model_dump(), "aud": _AUDIENCE, "iat": now, "exp": now + _TTL_SECONDS}
    return jwt.encode(claims, secret, algorithm="HS256")


def verify_identity(token: str, secret: str) -> Identity:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=_AUDIENCE)
    except jwt.PyJWTError as exc:
        raise Problem(401, "unauthenticated", "未认证 Not authenticated", f"无效的内部身份: {exc}") from exc
    return Identity.model_validate(claims)


async def current_identity(request: Request) -> Identity:
    """FastAPI dependency: the signed identity the gateway forwarded; a direct caller without it gets 401."""
    token = request.headers.get(IDENTITY_HEADER)
    if not token:
        raise Problem(401, "unauthenticated", "未认证 Not authenticated", "缺少网关签发的身份 (请经网关访问)")
    return verify_identity(token, request.app.state.settings.internal_secret)
