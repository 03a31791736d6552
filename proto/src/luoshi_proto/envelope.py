"""The CloudEvents 1.0 JSON envelope every Luoshi event travels in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from luoshi_proto.divisions import CODE_PATTERN

DataT = TypeVar("DataT", bound=BaseModel)


class CloudEvent(BaseModel, Generic[DataT]):
    """A CloudEvents 1.0 structured-mode event; ``orgcode`` and ``traceparent`` are extensions."""

    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    source: str = Field(description="URI of the producing service, e.g. /luoshi/tasking")
    type: str = Field(description="Versioned event type, e.g. tasking.task.assigned.v1")
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: str | None = Field(default=None, description="The entity the event is about, e.g. the task id")
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str | None = None
    orgcode: str = Field(
        pattern=CODE_PATTERN, description="Statistical code of the organisation the event concerns"
    )
    traceparent: str | None = Field(default=None, description="W3C trace context of the cause")
    data: DataT


RawEvent = CloudEvent[Any]
