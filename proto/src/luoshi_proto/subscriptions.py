"""Which service consumes which event types: generated from the services' handler tables.

``subscriptions.json`` beside this module is written by ``luoshi generate`` from each service's
``HandlerTable`` (never by hand); a contract test fails when it differs from the tables. Every service
declares the whole topology from it at start-up, so an event published before its consumer first
runs is queued, not unroutable; the AsyncAPI document names each type's consumers from it too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

SUBSCRIPTIONS_PATH = Path(__file__).resolve().parent / "subscriptions.json"


def load(path: Path = SUBSCRIPTIONS_PATH) -> dict[str, tuple[str, ...]]:
    raw: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
    return {service: tuple(types) for service, types in raw.items()}


def render(tables: Mapping[str, Sequence[str]]) -> str:
    """The file's content for ``{service: event types}`` (services and types sorted)."""
    document = {service: sorted(types) for service, types in sorted(tables.items()) if types}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def consumers_of(event_type: str, subscriptions: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    table = load() if subscriptions is None else subscriptions
    return sorted(service for service, types in table.items() if event_type in types)


SUBSCRIPTIONS: dict[str, tuple[str, ...]] = load() if SUBSCRIPTIONS_PATH.is_file() else {}
