"""Exemptions (免督查) from scoring's events, kept locally. Idempotent: the newest event wins, replays
change nothing (the kit's inbox skips a redelivered event anyway)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.messaging.handlers import HandlerTable
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.scoring.v1 import ExemptionChanged
from luoshi_supervision.exemptions.models import Exemption

HANDLERS = HandlerTable()


@HANDLERS.on("scoring.exemption.granted.v1", "scoring.exemption.expired.v1")
async def on_exemption(*, session: AsyncSession, event: CloudEvent[ExemptionChanged]) -> None:
    ref = event.data.exemption
    row = await session.get(Exemption, ref.exemption_id, with_for_update=True)
    expired = event.type == "scoring.exemption.expired.v1"
    if row is None:
        row = Exemption(id=ref.exemption_id, changed_at=event.data.at)
        session.add(row)
    elif row.changed_at > event.data.at or (row.ended_at is not None and not expired):
        return  # an older event, or a grant arriving after its expiry: the newer state stands
    row.org_code, row.starts_on, row.ends_on, row.basis = ref.org_code, ref.starts_on, ref.ends_on, ref.basis
    row.changed_at = event.data.at
    row.ended_at = event.data.at if expired else None
