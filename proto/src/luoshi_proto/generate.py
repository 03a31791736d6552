"""Write the checked-in contract documents: JSON Schemas per event type and the AsyncAPI document.

uv run python -m luoshi_proto.generate          # (re)write proto/jsonschema and proto/asyncapi
uv run python -m luoshi_proto.generate --check  # exit 1 and name the stale files, write nothing

``luoshi generate`` runs this after writing subscriptions.json from the services' handler tables (the
consumers each channel names); use it whenever a handler table changes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from luoshi_proto.envelope import CloudEvent, RawEvent
from luoshi_proto.registry import EVENT_TYPES, EXCHANGE, SCHEMA_BASE
from luoshi_proto.subscriptions import SUBSCRIPTIONS, consumers_of

PROTO_DIR = Path(__file__).resolve().parents[2]

CONTENT_TYPE = "application/cloudevents+json"
# CloudEvents 1.0 REQUIRED attributes: the envelope model defaults some of them, the wire carries all.
CLOUDEVENTS_REQUIRED = ("id", "source", "specversion", "type")

# Chinese paragraphs stay on one line: a Markdown soft break inside Chinese text renders as a stray space.
DESCRIPTION = "\n\n".join(
    (
        "落实（Luoshi）平台的全部事件都发布到 RabbitMQ 的持久化主题交换机 `luoshi.events`。"
        "每条消息是 JSON 格式的 CloudEvents 1.0 结构化事件（contentType `application/cloudevents+json`），"
        "`data` 的结构见各事件类型的 JSON Schema。路由键 = 事件类型（含版本）+ 事件所涉组织的区划路径，"
        "例如 `tasking.task.overdue.v1.52.01.02.001`（省 52、市 01、县 02、乡 001）。",
        "本文档从订阅方平台的角度描述：每个通道有一个 `receive` 操作。订阅方声明自己的持久化队列并绑定到 "
        "`luoshi.events`，例如 `tasking.task.overdue.v1.#`（某一事件类型的全部）或 `*.*.*.*.52.01.#`"
        "（某一辖区内的全部事件）。消息至少送达一次，请按 CloudEvent 的 `id` 去重。"
        "会破坏订阅方的改动以新版本的事件类型发布（如 `.v2`），旧版本照常保留。",
        "Every Luoshi event is published to the durable RabbitMQ topic exchange `luoshi.events`. "
        "Each message is a CloudEvents 1.0 structured-mode JSON event "
        "(contentType `application/cloudevents+json`) whose `data` is described by the JSON Schema of its "
        "event type. The routing key is the versioned event type followed by the division path of the "
        "organisation the event concerns, e.g. `tasking.task.overdue.v1.52.01.02.001` "
        "(province 52, city 01, county 02, township 001).",
        "This document is written from the point of view of a subscribing platform: every channel has one "
        "`receive` operation. A subscriber declares its own durable queue and binds it to `luoshi.events`, "
        "e.g. with `tasking.task.overdue.v1.#` (one event type everywhere) or `*.*.*.*.52.01.#` "
        "(every event of one subtree). Delivery is at least once: deduplicate by the CloudEvent `id`. "
        "A change that breaks subscribers is published as a new event type version (e.g. `.v2`) "
        "next to the old one.",
    )
)

DIVISION_PATH = (
    "Division path (区划路径) of the organisation the event concerns: the statistical division code "
    "(统计用区划代码) split into province (2 digits), city (2), county (2) and township (3) parts with "
    "trailing zero parts dropped, so 520000000000 is `52`, 520100000000 is `52.01`, 520102000000 is "
    "`52.01.02` and 520102001000 is `52.01.02.001`. A department (部门) uses the path of its government. "
    "Bind with `tasking.task.overdue.v1.#` for one event type everywhere, or `*.*.*.*.52.01.#` for every "
    "event in the subtree of city 52.01."
)


def _event_schema(event_type: str | None, model: type[BaseModel] | None) -> dict[str, Any]:
    envelope: type[BaseModel] = RawEvent if model is None else CloudEvent[model]  # type: ignore[valid-type]
    schema = envelope.model_json_schema()
    name = event_type or "envelope"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"{SCHEMA_BASE}{name}.json"
    schema["title"] = name
    schema["required"] = sorted({*schema["required"], *CLOUDEVENTS_REQUIRED})
    if event_type and model:
        schema["description"] = (model.__doc__ or event_type).strip()
        schema["properties"]["type"]["const"] = event_type
    else:
        schema["description"] = "CloudEvents 1.0 envelope of any Luoshi event; `data` depends on `type`."
    return schema


def _ident(event_type: str) -> str:
    return event_type.replace(".", "_")


def _asyncapi() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type in sorted(EVENT_TYPES):
        model = EVENT_TYPES[event_type]
        ident = _ident(event_type)
        summary = (model.__doc__ or event_type).strip().splitlines()[0]
        channels[ident] = {
            "address": f"{event_type}.{{divisionPath}}",
            "title": event_type,
            "summary": summary,
            "messages": {ident: {"$ref": f"#/components/messages/{ident}"}},
            "parameters": {"divisionPath": {"$ref": "#/components/parameters/divisionPath"}},
            "bindings": {"$ref": "#/components/channelBindings/luoshiEvents"},
            "x-luoshi-consumers": consumers_of(event_type, SUBSCRIPTIONS),
        }
        operations[f"receive_{ident}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{ident}"},
            "messages": [{"$ref": f"#/channels/{ident}/messages/{ident}"}],
            "summary": f"Receive {event_type} through a queue bound to {EXCHANGE}.",
            "bindings": {"amqp": {"ack": True, "bindingVersion": "0.3.0"}},
        }
        messages[ident] = {
            "name": event_type,
            "title": model.__name__,
            "summary": summary,
            "contentType": CONTENT_TYPE,
            "payload": {"$ref": f"../jsonschema/{event_type}.json"},
            "bindings": {"amqp": {"messageType": event_type, "bindingVersion": "0.3.0"}},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Luoshi 落实 events", "version": "1.0.0", "description": DESCRIPTION},
        "defaultContentType": CONTENT_TYPE,
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "parameters": {
                "divisionPath": {
                    "description": DIVISION_PATH,
                    "examples": ["52", "52.01", "52.01.02", "52.01.02.001"],
                }
            },
            "channelBindings": {
                "luoshiEvents": {
                    "amqp": {
                        "is": "routingKey",
                        "exchange": {
                            "name": EXCHANGE,
                            "type": "topic",
                            "durable": True,
                            "autoDelete": False,
                            "vhost": "/",
                        },
                        "bindingVersion": "0.3.0",
                    }
                }
            },
        },
    }


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def render(root: Path = PROTO_DIR) -> dict[Path, str]:
    """Every generated file and its content."""
    files = {root / "jsonschema" / "envelope.json": _json(_event_schema(None, None))}
    for event_type, model in EVENT_TYPES.items():
        files[root / "jsonschema" / f"{event_type}.json"] = _json(_event_schema(event_type, model))
    files[root / "asyncapi" / "asyncapi.yaml"] = yaml.dump(
        _asyncapi(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000
    )
    return files


def _leftovers(root: Path, files: dict[Path, str]) -> list[Path]:
    """Schemas of event types no longer in the registry."""
    return sorted(p for p in (root / "jsonschema").glob("*.json") if p not in files)


def check(root: Path = PROTO_DIR) -> list[Path]:
    """Files that are missing, differ from what would be generated, or should no longer exist."""
    files = render(root)
    stale = [p for p, text in files.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    return sorted(stale + _leftovers(root, files))


def write(root: Path = PROTO_DIR) -> list[Path]:
    """Bring the generated files up to date; returns what changed."""
    files = render(root)
    changed = check(root)
    for path in _leftovers(root, files):
        path.unlink()
    for path in changed:
        if path in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(files[path], encoding="utf-8", newline="\n")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--check", action="store_true", help="report stale files instead of writing them")
    args = parser.parse_args(argv)
    if args.check:
        stale = check()
        for path in stale:
            print(f"stale: {path.relative_to(PROTO_DIR.parent)}", file=sys.stderr)
        if stale:
            print("run `uv run python -m luoshi_proto.generate` to regenerate", file=sys.stderr)
        return 1 if stale else 0
    for path in write():
        print(f"wrote {path.relative_to(PROTO_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
