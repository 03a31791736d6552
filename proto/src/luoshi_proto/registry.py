"""Event type <-> pydantic model <-> routing key: the one table producers and consumers share."""

from __future__ import annotations

from pydantic import BaseModel

from luoshi_proto.divisions import division_path
from luoshi_proto.gateway.v1 import OrgUpserted, PersonUpserted
from luoshi_proto.tasking.v1 import TaskAssigned

EXCHANGE = "luoshi.events"

EVENT_TYPES: dict[str, type[BaseModel]] = {
    "gateway.org.upserted.v1": OrgUpserted,
    "gateway.person.upserted.v1": PersonUpserted,
    "tasking.task.assigned.v1": TaskAssigned,
}

MODEL_TYPES: dict[type[BaseModel], str] = {model: name for name, model in EVENT_TYPES.items()}


def type_of(model: BaseModel) -> str:
    return MODEL_TYPES[type(model)]


def routing_key(event_type: str, orgcode: str) -> str:
    """``tasking.task.assigned.v1.52.01.02``: the type, its version, then the division path."""
    return f"{event_type}.{division_path(orgcode)}"


SCHEMA_BASE = "https://luoshi.example/schemas/"


def schema_path(event_type: str) -> str:
    """The ``$id`` of the event's committed JSON Schema (proto/jsonschema/<type>.json)."""
    return f"{SCHEMA_BASE}{event_type}.json"
