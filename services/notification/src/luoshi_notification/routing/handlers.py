"""One dispatcher for every event notification forwards: the kit's table holds one handler per type, so this
handler calls, in the one transaction of the event, the inbox rules (who hears it) and then the webhook queue
(which subscribers get it). See docs/conventions.md, "One handler, several effects"."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_notification.routing.service import notify
from luoshi_notification.routing.table import FORWARDED
from luoshi_notification.webhooks.service import enqueue
from luoshi_proto.envelope import CloudEvent

HANDLERS = HandlerTable()


@HANDLERS.on(*FORWARDED)
async def on_event(*, session: AsyncSession, event: CloudEvent[BaseModel]) -> None:
    await notify(session=session, event=event)
    await enqueue(session=session, event=event)
