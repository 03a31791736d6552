"""A service's handler table: which event types it consumes and the typed handler of each.

The table is the single source of a service's subscriptions: its queue bindings, the generated
RabbitMQ definitions and the consumers named in the AsyncAPI document all come from it
(``luoshi generate``; docs/conventions.md, "Handler tables and bindings").
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_proto.envelope import CloudEvent
from luoshi_proto.registry import EVENT_TYPES

ModelT = TypeVar("ModelT", bound=BaseModel)


class EventHandler(Protocol[ModelT]):
    """``async def handle(*, session, event: CloudEvent[Model]) -> None`` — never commits."""

    def __call__(self, *, session: AsyncSession, event: CloudEvent[ModelT]) -> Awaitable[None]: ...


class Prepare(Protocol):
    """``async def prepare(*, session, events) -> None``: loads what the handler reads for a whole batch
    (see ``luoshi_kit.messaging.batch``) before the handler runs for each of the events."""

    def __call__(self, *, session: AsyncSession, events: Sequence[CloudEvent[Any]]) -> Awaitable[None]: ...


class HandlerTable:
    """Event type -> handler. ``table.on("tasking.task.overdue.v1")`` registers a handler; the handler's
    ``event`` annotation must be ``CloudEvent[M]`` with ``M`` the type's payload model or a base of it
    (e.g. ``TaskEvent`` for every task event), checked when it is registered."""

    def __init__(self) -> None:
        self._handlers: dict[str, EventHandler[Any]] = {}
        self._prepare: dict[str, Prepare] = {}

    def on(
        self, *event_types: str, prepare: Prepare | None = None
    ) -> typing.Callable[[EventHandler[ModelT]], EventHandler[ModelT]]:
        def register(handler: EventHandler[ModelT]) -> EventHandler[ModelT]:
            for event_type in event_types:
                self.add(event_type, handler, prepare)
            return handler

        return register

    def add(self, event_type: str, handler: EventHandler[Any], prepare: Prepare | None = None) -> None:
        if event_type in self._handlers:
            raise ValueError(f"{event_type} already has a handler")
        model = EVENT_TYPES.get(event_type)
        if model is None:
            raise ValueError(f"{event_type} is not an event type of luoshi_proto.registry")
        accepted = payload_model(handler)
        if not issubclass(model, accepted):
            raise TypeError(
                f"{_name(handler)} takes CloudEvent[{accepted.__name__}], "
                f"but {event_type} carries {model.__name__}"
            )
        self._handlers[event_type] = handler
        if prepare is not None:
            self._prepare[event_type] = prepare

    def prepare_of(self, event_type: str) -> Prepare | None:
        return self._prepare.get(event_type)

    def merge(self, *others: HandlerTable) -> HandlerTable:
        """A new table with this table's handlers and the others' (a type in two tables is an error)."""
        merged = HandlerTable()
        for table in (self, *others):
            for event_type, handler in table.items():
                merged.add(event_type, handler, table.prepare_of(event_type))
        return merged

    def __getitem__(self, event_type: str) -> EventHandler[Any]:
        return self._handlers[event_type]

    def items(self) -> Iterator[tuple[str, EventHandler[Any]]]:
        return iter(sorted(self._handlers.items()))

    @property
    def event_types(self) -> tuple[str, ...]:
        return tuple(sorted(self._handlers))

    def __contains__(self, event_type: object) -> bool:
        return event_type in self._handlers

    def __len__(self) -> int:
        return len(self._handlers)


def payload_model(handler: object) -> type[BaseModel]:
    """The ``M`` of a handler's ``event: CloudEvent[M]`` annotation."""
    hints = typing.get_type_hints(handler)
    annotation = hints.get("event")
    metadata = getattr(annotation, "__pydantic_generic_metadata__", None)
    if not metadata or metadata.get("origin") is not CloudEvent or not metadata.get("args"):
        raise TypeError(f"{_name(handler)} must annotate its event as CloudEvent[Model]")
    model = metadata["args"][0]
    if not (inspect.isclass(model) and issubclass(model, BaseModel)):
        raise TypeError(f"{_name(handler)}: CloudEvent[{model!r}] is not a payload model")
    return model


def _name(handler: object) -> str:
    return getattr(handler, "__qualname__", repr(handler))
