from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel
from sqlalchemy import select

from luoshi_gateway.auth.deps import UserDep
from luoshi_gateway.auth.passwords import verify_password
from luoshi_gateway.auth.tokens import issue_access_token
from luoshi_gateway.people.models import Person
from luoshi_kit.deps import SessionDep
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity

router = APIRouter(prefix="/api/v1/auth", tags=["auth 登录"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


@router.post("/token", response_model=TokenOut, summary="登录 Sign in (OAuth2 password)")
async def sign_in(
    request: Request, session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenOut:
    person = await session.scalar(select(Person).where(Person.username == form.username, Person.active))
    # argon2 is CPU-bound: keep the event loop free while it runs.
    ok = await asyncio.to_thread(verify_password, person.password_hash if person else None, form.password)
    if not ok or person is None:
        raise Problem(401, "invalid-credentials", "用户名或密码错误 Wrong username or password")
    settings = request.app.state.settings
    identity = Identity(
        person_id=person.id,
        username=person.username or "",
        display_name=person.display_name,
        org_code=person.org_code,
        roles=list(person.roles),
    )
    token = issue_access_token(identity, settings.jwt_secret, settings.access_token_minutes)
    return TokenOut(access_token=token, expires_in=settings.access_token_minutes * 60)


@router.get("/me", response_model=Identity, summary="当前用户 Who am I")
async def me(user: UserDep) -> Identity:
    return user
