from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from luoshi_gateway.auth.tokens import read_access_token
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def current_user(request: Request, token: Annotated[str | None, Depends(oauth2)]) -> Identity:
    if not token:
        raise Problem(401, "unauthenticated", "未认证 Not authenticated", "请先登录 (Bearer token)")
    return read_access_token(token, request.app.state.settings.jwt_secret)


UserDep = Annotated[Identity, Depends(current_user)]
