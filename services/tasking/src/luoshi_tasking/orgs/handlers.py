"""Keeps the local organisation replica up to date."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.db import upsert
from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.gateway.v1 import OrgTreeAnnounced, OrgUpserted
from luoshi_tasking.orgs.models import Org, OrgTree
from luoshi_tasking.orgs.service import ACTIVE_ORGS, TREE_ROW

HANDLERS = HandlerTable()
_COLUMNS = {"code", "name", "kind", "level", "parent_code", "active"}


@HANDLERS.on("gateway.org.upserted.v1")
async def on_org_upserted(*, session: AsyncSession, event: CloudEvent[OrgUpserted]) -> None:
    await upsert(session, Org, event.data.model_dump(include=_COLUMNS))
    ACTIVE_ORGS.changed(session)


@HANDLERS.on("gateway.org.tree_announced.v1")
async def on_tree_announced(*, session: AsyncSession, event: CloudEvent[OrgTreeAnnounced]) -> None:
    """Keep the newest announcement (they may arrive out of order)."""
    row = await session.get(OrgTree, TREE_ROW, with_for_update=True)
    if row is None:
        session.add(
            OrgTree(
                id=TREE_ROW,
                org_count=event.data.org_count,
                root_code=event.data.root_code,
                announced_at=event.time,
            )
        )
    elif row.announced_at <= event.time:
        row.org_count, row.root_code, row.announced_at = (
            event.data.org_count,
            event.data.root_code,
            event.time,
        )
