"""Keeps the local organisation replica up to date. Never commits."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import upsert
from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.gateway.v1 import OrgUpserted
from luoshi_scoring.orgs.models import Org

HANDLERS = HandlerTable()
_COLUMNS = {"code", "name", "kind", "level", "parent_code", "active"}


@HANDLERS.on("gateway.org.upserted.v1")
async def on_org_upserted(*, session: AsyncSession, event: CloudEvent[OrgUpserted]) -> None:
    await upsert(session, Org, event.data.model_dump(include=_COLUMNS))
