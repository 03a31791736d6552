"""Queue bindings come from the services' handler tables, and nowhere else."""

from __future__ import annotations

import json

import pytest
import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_cli.generate import subscriptions_stale
from luoshi_cli.registry import SERVICES, subscriptions
from luoshi_kit.messaging.handlers import HandlerTable, payload_model
from luoshi_kit.messaging.topology import binding_pattern, queue_specs
from luoshi_kit.service import ServiceSpec, check_bindings
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.generate import PROTO_DIR
from luoshi_proto.registry import EVENT_TYPES
from luoshi_proto.subscriptions import SUBSCRIPTIONS
from luoshi_proto.tasking.v1 import DocumentStudyAlert, TaskEvent
from luoshi_tasking.db import TABLES
from tests.contract.deploy_files import ROOT


def test_generated_subscriptions_are_the_handler_tables() -> None:
    assert not subscriptions_stale(), "run `./dev luoshi generate`"
    assert SUBSCRIPTIONS == {name: types for name, types in subscriptions().items() if types}


@pytest.mark.parametrize("entry", SERVICES, ids=lambda e: e.name)
def test_every_binding_has_a_handler_and_every_handler_a_binding(entry: object) -> None:
    table = entry.handlers()  # type: ignore[attr-defined]
    spec = next((s for s in queue_specs() if s.service == entry.name), None)  # type: ignore[attr-defined]
    bound = set(spec.patterns) if spec else set()
    assert bound == {binding_pattern(t) for t in table.event_types}


@pytest.mark.parametrize("entry", SERVICES, ids=lambda e: e.name)
def test_every_handler_takes_the_typed_payload_of_its_event(entry: object) -> None:
    for event_type, handler in entry.handlers().items():  # type: ignore[attr-defined]
        assert issubclass(EVENT_TYPES[event_type], payload_model(handler)), event_type


def test_deploy_definitions_bind_exactly_the_handled_types() -> None:
    definitions = json.loads((ROOT / "deploy" / "rabbitmq" / "definitions.json").read_text(encoding="utf-8"))
    bound = {
        (b["destination"].removesuffix(".events"), b["routing_key"])
        for b in definitions["bindings"]
        if b["source"] == "luoshi.events"
    }
    expected = {(name, binding_pattern(t)) for name, types in subscriptions().items() for t in types}
    assert bound == expected


def test_asyncapi_names_the_consumers_of_each_channel() -> None:
    document = yaml.safe_load((PROTO_DIR / "asyncapi" / "asyncapi.yaml").read_text(encoding="utf-8"))
    for channel in document["channels"].values():
        event_type = channel["title"]
        expected = sorted(n for n, types in subscriptions().items() if event_type in types)
        assert channel["x-luoshi-consumers"] == expected


async def _on_task(*, session: AsyncSession, event: CloudEvent[TaskEvent]) -> None:
    return None


async def _on_document(*, session: AsyncSession, event: CloudEvent[DocumentStudyAlert]) -> None:
    return None


async def _untyped(*, session: AsyncSession, event: object) -> None:
    return None


def test_a_handler_for_another_payload_is_refused_when_registered() -> None:
    table = HandlerTable()
    table.add("tasking.task.overdue.v1", _on_task)  # TaskDeadlineAlert is a TaskEvent
    with pytest.raises(TypeError, match="DocumentStudyAlert"):
        table.add("tasking.task.lagging.v1", _on_document)
    with pytest.raises(TypeError, match=r"CloudEvent\[Model\]"):
        table.add("tasking.task.closed.v1", _untyped)
    with pytest.raises(ValueError, match="already has a handler"):
        table.add("tasking.task.overdue.v1", _on_task)
    with pytest.raises(ValueError, match="not an event type"):
        table.add("tasking.task.teleported.v1", _on_task)


def test_a_service_whose_table_drifted_from_its_bindings_does_not_start() -> None:
    table = HandlerTable()
    table.add("tasking.task.overdue.v1", _on_task)
    spec = ServiceSpec(name="tasking", title="t", tables=TABLES, handlers=table)
    with pytest.raises(RuntimeError, match="luoshi generate"):
        check_bindings(spec)
