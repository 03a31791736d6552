"""Writing events into the transactional outbox. The caller owns the transaction."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.tracing import child_of, current_traceparent
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.registry import routing_key, schema_path, type_of


def add_event(
    *,
    session: AsyncSession,
    source: str,
    data: BaseModel,
    orgcode: str,
    subject: str | None = None,
    event_type: str | None = None,
) -> CloudEvent[BaseModel]:
    """Stage ``data`` as a CloudEvent in the outbox; it is published only if the transaction commits."""
    event_type = type_of(data, event_type)
    envelope: CloudEvent[BaseModel] = CloudEvent(
        source=f"/luoshi/{source}",
        type=event_type,
        subject=subject,
        orgcode=orgcode,
        dataschema=schema_path(event_type),
        traceparent=child_of(current_traceparent.get()),
        data=data,
    )
    outbox_model = session.info["base"].OutboxEvent
    session.add(
        outbox_model(
            id=envelope.id,
            event_type=event_type,
            routing_key=routing_key(event_type, orgcode),
            body=envelope.model_dump_json(),
            created_at=envelope.time,
        )
    )
    session.info["outbox_dirty"] = True
    return envelope
