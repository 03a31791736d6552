"""One dispatcher for every event notification forwards: the kit's table holds one handler per type, so this
handler calls, in the one transaction of the event, the inbox rules (who hears it) and then the webhook queue
(which subscribers get it). See docs/conventions.md, "One handler, several effects"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_notification.routing.service import load_audiences, notify
from luoshi_notification.routing.table import FORWARDED
from luoshi_notification.webhooks.service import enqueue, load_subscriptions
from luoshi_proto.envelope import CloudEvent

HANDLERS = HandlerTable()


async def load_batch(*, session: AsyncSession, events: Sequence[CloudEvent[Any]]) -> None:
    """What the batch's handlers read, for all its events at once (a few queries, not a few per event)."""
    await load_audiences(session=session, events=events)
    await load_subscriptions(session=session, events=events)


@HANDLERS.on(*FORWARDED, prepare=load_batch)
async def on_event(*, session: AsyncSession, event: CloudEvent[BaseModel]) -> None:
    await notify(session=session, event=event)
    await enqueue(session=session, event=event)
