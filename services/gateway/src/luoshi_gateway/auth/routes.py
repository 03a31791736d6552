"""Sign-in (password), refresh with rotation, sign-out, and who am I."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, TypedDict

from fastapi import APIRouter, Body, Depends, Form, Request, Response
from sqlalchemy import func, select

from luoshi_gateway.audit.service import record, record_alone
from luoshi_gateway.auth import sessions, throttle
from luoshi_gateway.auth.deps import AuthDep, UserDep, auth_cache, state_of
from luoshi_gateway.auth.passwords import verify_password
from luoshi_gateway.auth.schemas import LogoutIn, RefreshIn, TokenOut
from luoshi_gateway.auth.tokens import issue_access_token, unauthenticated
from luoshi_gateway.clients.token import client_token
from luoshi_gateway.config import GatewaySettings
from luoshi_gateway.people.models import Person
from luoshi_gateway.people.rules import may_act_now
from luoshi_kit.deps import SessionDep
from luoshi_kit.errors import Problem, problem_response
from luoshi_kit.forwarded import client_address
from luoshi_kit.identity import Identity

router = APIRouter(prefix="/api/v1/auth", tags=["auth 登录"])
_WRONG = "用户名或密码错误 Wrong username or password"


class _SignInAudit(TypedDict):
    """The audit fields every outcome of a sign-in shares (the outcome and details vary)."""

    action: str
    actor_username: str
    actor_id: str | None
    actor_org: str | None


def _locked(request: Request, until: datetime, now: datetime) -> Response:
    """429 problem+json with Retry-After (a raised Problem cannot carry headers)."""
    seconds = max(1, int((until - now).total_seconds() + 0.999))
    response = problem_response(
        429,
        "sign-in-locked",
        "登录失败次数过多, 请稍后再试 Too many failed sign-ins",
        f"请在 {seconds} 秒后重试 Try again in {seconds} s",
        request.url.path,
        retry_after=seconds,
    )
    response.headers["Retry-After"] = str(seconds)
    return response


def _tokens(
    *,
    session: SessionDep,
    settings: GatewaySettings,
    person: Person,
    now: datetime,
    family_id: str | None = None,
) -> TokenOut:
    refresh, family = sessions.issue_refresh_token(
        session=session, person_id=person.id, days=settings.refresh_token_days, now=now, family_id=family_id
    )
    access = issue_access_token(
        state_of(person).identity, settings.jwt_secret, settings.access_token_minutes, family_id=family
    )
    return TokenOut(
        access_token=access,
        expires_in=settings.access_token_minutes * 60,
        refresh_token=refresh,
        refresh_expires_in=settings.refresh_token_days * 86400,
    )


def _policy(settings: GatewaySettings) -> throttle.Policy:
    return throttle.Policy(
        max_failures=settings.lockout_max_failures,
        address_max_failures=settings.lockout_address_max_failures,
        window=timedelta(seconds=settings.lockout_window_seconds),
        lock_for=timedelta(seconds=settings.lockout_seconds),
        max_lock=timedelta(seconds=settings.lockout_max_seconds),
    )


async def _person_named(session: SessionDep, username: str) -> Person | None:
    """``username`` is normalised (case-folded): an exact match first, else case-insensitively."""
    person = await session.scalar(select(Person).where(Person.username == username))
    if person is None:
        rows = (await session.scalars(select(Person).where(func.lower(Person.username) == username))).all()
        person = rows[0] if len(rows) == 1 else None
    return person


@dataclass(frozen=True)
class TokenForm:
    """The token endpoint's form: a person's password grant, or a machine client's client_credentials."""

    grant_type: str
    username: str
    password: str
    client_id: str | None
    client_secret: str | None
    client_assertion_type: str | None
    client_assertion: str | None


async def token_form(
    grant_type: Annotated[str, Form(pattern="^(password|client_credentials)$")] = "password",
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    scope: Annotated[str, Form(max_length=500)] = "",
    client_id: Annotated[str | None, Form(max_length=200)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
    client_assertion_type: Annotated[str | None, Form(max_length=200)] = None,
    client_assertion: Annotated[str | None, Form(max_length=8000)] = None,
) -> TokenForm:
    # async: a sync dependency would run in the thread pool on every sign-in
    return TokenForm(
        grant_type, username, password, client_id, client_secret, client_assertion_type, client_assertion
    )


@router.post(
    "/token",
    response_model=TokenOut,
    summary="登录 Sign in (OAuth2 password; other platforms: client_credentials)",
    responses={
        400: {"description": "令牌请求无效 Invalid client_credentials request"},
        401: {"description": "用户名或密码错误 Wrong username or password (or client credentials)"},
        429: {"description": "登录失败次数过多 locked (Retry-After)"},
    },
)
async def sign_in(
    request: Request, session: SessionDep, form: Annotated[TokenForm, Depends(token_form)]
) -> TokenOut | Response:
    settings: GatewaySettings = request.app.state.settings
    if form.grant_type == "client_credentials":
        return await client_token(
            request=request,
            session=session,
            policy=_policy(settings),
            client_id=form.client_id,
            client_secret=form.client_secret,
            assertion_type=form.client_assertion_type,
            assertion=form.client_assertion,
        )
    if not form.username or not form.password:
        raise Problem(422, "validation", "输入有误 Invalid input", "username 和 password 必填 are required")
    now = datetime.now(UTC)
    username = throttle.normalise_username(form.username)
    address = client_address(request, settings.trusted_proxies) or "unknown"
    async with session.begin():
        # Counted before the password is checked: parallel guesses cannot outrun the lock.
        reservation = await throttle.reserve_attempt(
            session=session, username=username, address=address, now=now, policy=_policy(settings)
        )
        person = await _person_named(session, username)
    fields = _SignInAudit(
        action="auth.sign_in",
        actor_username=username,
        actor_id=person.id if person else None,
        actor_org=person.org_code if person else None,
    )
    if reservation.refused_until is not None:
        await record_alone(request=request, **fields, outcome="failure", details={"reason": "locked"})
        return _locked(request, reservation.refused_until, now)
    # argon2 is CPU-bound: keep the event loop free while it runs. Unknown usernames cost the same.
    ok = await asyncio.to_thread(verify_password, person.password_hash if person else None, form.password)
    reason = None
    if not ok or person is None:
        reason = "wrong credentials"
    elif not person.active:
        reason = "deactivated"
    elif not may_act_now(state_of(person).assessor_window, now):
        reason = "outside assessment window"
    if reason is not None:
        await record_alone(request=request, **fields, outcome="failure", details={"reason": reason})
        if reservation.locks_until is not None:
            return _locked(request, reservation.locks_until, now)
        # One answer for all reasons, so a wrong guess learns nothing about the account.
        raise Problem(401, "invalid-credentials", _WRONG)
    assert person is not None
    async with session.begin():
        await throttle.succeeded(session=session, username=username, address=address)
        tokens = _tokens(session=session, settings=settings, person=person, now=now)
        record(session=session, request=request, **fields, outcome="success")
    return tokens


@router.post(
    "/refresh",
    response_model=TokenOut,
    summary="刷新令牌 Refresh (rotates the refresh token)",
    responses={401: {"description": "刷新令牌无效、已用过或已过期 Invalid, reused or expired"}},
)
async def refresh(request: Request, body: RefreshIn, session: SessionDep) -> TokenOut:
    settings: GatewaySettings = request.app.state.settings
    now = datetime.now(UTC)
    async with session.begin():
        row = await sessions.use_refresh_token(session=session, token=body.refresh_token, now=now)
        person = await session.get(Person, row.person_id) if row is not None else None
        usable = person is not None and person.active and may_act_now(state_of(person).assessor_window, now)
        if row is not None and person is not None and usable:
            return _tokens(
                session=session, settings=settings, person=person, now=now, family_id=row.family_id
            )
    # Outside the transaction above: a reused token's family revocation has been committed, and with
    # it every access token of the family is refused (this process at once, others within the cache time).
    if row is None:
        async with request.app.state.sessionmaker() as lookup:
            presented = await lookup.get(sessions.RefreshToken, sessions.hash_token(body.refresh_token))
        if presented is not None:
            auth_cache(request).drop(("sid", presented.family_id))
    await record_alone(
        request=request,
        action="auth.refresh",
        outcome="failure",
        actor_id=person.id if person else None,
        actor_org=person.org_code if person else None,
        details={"reason": "invalid, expired, reused or revoked refresh token"},
    )
    raise unauthenticated("刷新令牌无效或已使用 Refresh token invalid or already used")


@router.post("/logout", status_code=204, summary="退出 Sign out (revokes this token and its refresh tokens)")
async def logout(
    request: Request, session: SessionDep, auth: AuthDep, body: Annotated[LogoutIn | None, Body()] = None
) -> Response:
    now = datetime.now(UTC)
    async with session.begin():
        if auth.jti:
            await sessions.revoke_access_token(session=session, jti=auth.jti, expires_at=auth.expires_at)
        if auth.family_id:
            await sessions.revoke_family(session=session, family_id=auth.family_id, now=now)
        if body is not None and body.refresh_token:
            row = await session.get(sessions.RefreshToken, sessions.hash_token(body.refresh_token))
            if row is not None and row.person_id == auth.identity.person_id:
                await sessions.revoke_family(session=session, family_id=row.family_id, now=now)
        record(session=session, request=request, action="auth.logout", actor=auth.identity)
    if auth.jti:
        auth_cache(request).put(("jti", auth.jti), True)
    if auth.family_id:
        auth_cache(request).put(("sid", auth.family_id), True)
    return Response(status_code=204)


@router.get("/me", response_model=Identity, summary="当前用户 Who am I")
async def me(user: UserDep) -> Identity:
    return user
