"""Tokens of an external OpenID Connect provider (统一身份认证), checked against its JWKS."""

from __future__ import annotations

import asyncio
from typing import Any

import jwt
from jwt import PyJWKClient

from luoshi_gateway.auth.tokens import unauthenticated
from luoshi_gateway.config import GatewaySettings

ALGORITHMS = ("RS256", "ES256")


def oidc_enabled(settings: GatewaySettings) -> bool:
    return bool(settings.oidc_issuer and settings.oidc_jwks_url and settings.oidc_audience)


class OidcVerifier:
    """Holds the JWKS client (it caches keys and fetches again for a key id it does not know)."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.issuer = settings.oidc_issuer
        self.audience = settings.oidc_audience
        self.username_claim = settings.oidc_username_claim
        self.jwks = PyJWKClient(settings.oidc_jwks_url, cache_keys=True, lifespan=300, timeout=5)

    async def verify(self, token: str) -> dict[str, Any]:
        try:
            # PyJWKClient fetches with urllib: keep the event loop free while it may.
            key = await asyncio.to_thread(self.jwks.get_signing_key_from_jwt, token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=list(ALGORITHMS),
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise unauthenticated("令牌已过期 Token expired") from exc
        except (jwt.PyJWTError, jwt.PyJWKClientError) as exc:
            raise unauthenticated("外部令牌无效 Invalid external token") from exc
        return claims


def verifier_of(app_state: Any, settings: GatewaySettings) -> OidcVerifier:
    verifier: OidcVerifier | None = getattr(app_state, "oidc_verifier", None)
    if verifier is None:
        verifier = OidcVerifier(settings)
        app_state.oidc_verifier = verifier
    return verifier
