"""Webhook subscription use cases. Keyword-only, never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_proto.envelope import CloudEvent


async def enqueue(*, session: AsyncSession, event: CloudEvent[Any]) -> int:
    return 0
