"""Who is calling: our access tokens or an external OIDC provider's, checked against current state.

The proxy calls ``current_user`` on every request, so what it looks up (the person, the deny-list)
is cached for ``auth_cache_seconds``; sign-out and changes made through this process drop the entry
at once, other replicas see them within that time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Scope

from luoshi_gateway.audit.service import deny
from luoshi_gateway.auth.oidc import ALGORITHMS, oidc_enabled, verifier_of
from luoshi_gateway.auth.sessions import is_family_revoked, is_revoked
from luoshi_gateway.auth.tokens import ALGORITHM, decode_access_token, unauthenticated, verified_claims
from luoshi_gateway.clients.models import MachineClient
from luoshi_gateway.clients.rules import permits
from luoshi_gateway.clients.service import identity_of
from luoshi_gateway.people.models import Person
from luoshi_gateway.people.rules import may_act_now
from luoshi_kit.identity import Identity

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def bearer_of(scope: Scope) -> str | None:
    """What ``oauth2`` answers (the token of the first ``Authorization: Bearer``), read from the ASGI
    scope: for the proxy's fast path, which builds no ``Request.headers`` otherwise."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else None
    return None


_CACHE_LIMIT = 10_000


@dataclass(frozen=True)
class PersonState:
    identity: Identity
    active: bool
    assessor_window: tuple[datetime | None, datetime | None] | None
    actions: tuple[str, ...] | None = None  # a machine client's granted actions; None for a person


@dataclass(frozen=True)
class Authenticated:
    identity: Identity
    jti: str | None
    expires_at: datetime
    family_id: str | None
    external: bool


class AuthCache:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._items: dict[tuple[str, str], tuple[float, Any]] = {}

    def get(self, key: tuple[str, str]) -> tuple[bool, Any]:
        hit = self._items.get(key)
        if hit is None or hit[0] < time.monotonic():
            return False, None
        return True, hit[1]

    def put(self, key: tuple[str, str], value: Any) -> None:
        if self.seconds <= 0:
            return
        if len(self._items) >= _CACHE_LIMIT:
            self._items.clear()
        self._items[key] = (time.monotonic() + self.seconds, value)

    def drop(self, key: tuple[str, str]) -> None:
        self._items.pop(key, None)


def auth_cache(request: Request) -> AuthCache:
    state = request.app.state
    cache: AuthCache | None = getattr(state, "auth_cache", None)
    if cache is None:
        cache = AuthCache(state.settings.auth_cache_seconds)
        state.auth_cache = cache
    return cache


def state_of(person: Person) -> PersonState:
    window = (person.assessor_valid_from, person.assessor_valid_to) if "assessor" in person.roles else None
    identity = Identity(
        person_id=person.id,
        username=person.username or "",
        display_name=person.display_name,
        org_code=person.org_code,
        roles=list(person.roles),
    )
    return PersonState(identity=identity, active=person.active, assessor_window=window)


async def _load_person(session: AsyncSession, key: tuple[str, str]) -> PersonState | None:
    kind, ident = key
    if kind == "client":
        client = await session.get(MachineClient, ident)
        if client is None:
            return None
        return PersonState(
            identity=identity_of(client),
            active=client.active,
            assessor_window=None,
            actions=tuple(client.actions),
        )
    if kind == "person":
        person = await session.get(Person, ident)
    else:  # an OIDC subject, or failing that the username claim the provider sends
        subject, _, username = ident.partition("\n")
        conditions = [Person.oidc_subject == subject]
        if username:
            conditions.append(Person.username == username)
        rows = (await session.scalars(select(Person).where(or_(*conditions)))).all()
        person = next((p for p in rows if p.oidc_subject == subject), rows[0] if rows else None)
    return state_of(person) if person is not None else None


async def _lookup(
    request: Request, key: tuple[str, str], jti: str | None, family_id: str | None = None
) -> tuple[PersonState | None, bool]:
    """The person behind a token and whether the token (or its sign-in's family) was revoked: from
    the cache, else one session."""
    cache = auth_cache(request)
    has_state, state = cache.get(key)
    has_revoked, revoked = cache.get(("jti", jti)) if jti else (True, False)
    has_family, family_revoked = cache.get(("sid", family_id)) if family_id else (True, False)
    if not (has_state and has_revoked and has_family):
        async with request.app.state.sessionmaker() as session:
            if not has_revoked and jti:
                revoked = await is_revoked(session=session, jti=jti)
                cache.put(("jti", jti), revoked)
            if not has_family and family_id and not revoked:
                family_revoked = await is_family_revoked(session=session, family_id=family_id)
                cache.put(("sid", family_id), family_revoked)
            if not has_state and not (revoked or family_revoked):
                state = await _load_person(session, key)
                cache.put(key, state)
    return state, bool(revoked or family_revoked)


def forget_person(request: Request, person_id: str) -> None:
    """Call after changing a person, so this process does not serve the old state from its cache."""
    cache = auth_cache(request)
    cache.drop(("person", person_id))
    cache._items = {k: v for k, v in cache._items.items() if k[0] != "oidc"}


async def authenticate(request: Request, token: str | None) -> Authenticated:
    if not token:
        raise unauthenticated("请先登录 (Bearer token)")
    settings = request.app.state.settings
    known = verified_claims(token, settings.jwt_secret)  # our own token, checked before: no JWT work
    try:
        alg = ALGORITHM if known is not None else jwt.get_unverified_header(token).get("alg")
    except jwt.PyJWTError as exc:
        raise unauthenticated("令牌无效 Invalid token") from exc
    if alg == ALGORITHM:
        claims = decode_access_token(token, settings.jwt_secret)
        key = ("client" if claims["typ"] == "machine" else "person", str(claims["sub"]))
        external = False
    elif alg in ALGORITHMS and oidc_enabled(settings):
        claims = await verifier_of(request.app.state, settings).verify(token)
        username = str(claims.get(settings.oidc_username_claim) or "")
        key = ("oidc", f"{claims['sub']}\n{username}")
        external = True
    else:
        raise unauthenticated("令牌无效 Invalid token")
    jti = str(claims["jti"]) if claims.get("jti") else None
    family_id = str(claims["sid"]) if claims.get("sid") and not external else None
    state, revoked = await _lookup(request, key, jti, family_id)
    if revoked:
        raise unauthenticated("令牌已注销 Token revoked")
    if state is None:
        raise unauthenticated("未找到对应人员 No person for this token")
    if not state.active:
        raise unauthenticated("账号已停用 Account deactivated")
    if not may_act_now(state.assessor_window, datetime.now(UTC)):
        raise unauthenticated("不在评估有效期内 Outside the assessment window")
    if state.actions is not None and not permits(list(state.actions), request.method, request.url.path):
        raise await deny(
            request=request,
            actor=state.identity,
            action="client.call",
            detail="该接入系统未获此项授权 This machine client is not granted this action",
            target_type="route",
            target_id=f"{request.method} {request.url.path}"[:200],
        )
    return Authenticated(
        identity=state.identity,
        jti=jti,
        expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        family_id=family_id,
        external=external,
    )


async def current_auth(request: Request, token: Annotated[str | None, Depends(oauth2)]) -> Authenticated:
    return await authenticate(request, token)


async def current_user(auth: Annotated[Authenticated, Depends(current_auth)]) -> Identity:
    return auth.identity


UserDep = Annotated[Identity, Depends(current_user)]
AuthDep = Annotated[Authenticated, Depends(current_auth)]
