"""FastAPI dependencies every service uses (permission dependencies: ``luoshi_kit.permissions``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.permissions import IdentityDep


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session without a transaction: the route opens one (``async with session.begin()``)."""
    async with request.app.state.sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]

__all__ = ["IdentityDep", "SessionDep", "get_session"]
