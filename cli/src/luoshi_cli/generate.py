"""``luoshi generate``: every checked-in file derived from code, in dependency order.

1. ``proto/src/luoshi_proto/subscriptions.json`` from the services' handler tables;
2. ``proto/jsonschema`` and ``proto/asyncapi`` from the event models (consumers from step 1);
3. ``deploy/rabbitmq/definitions.json`` from the topology (queues and bindings from step 1).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from luoshi_cli.registry import subscriptions
from luoshi_proto import generate as proto_generate
from luoshi_proto import subscriptions as proto_subscriptions

ROOT = Path(__file__).resolve().parents[3]


def _deploy_generator() -> ModuleType:
    path = ROOT / "deploy" / "generate_definitions.py"
    spec = importlib.util.spec_from_file_location("deploy_generate_definitions", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def json_subscriptions() -> dict[str, tuple[str, ...]]:
    """What subscriptions.json would hold (services with no handler are left out)."""
    return {name: types for name, types in subscriptions().items() if types}


def subscriptions_stale() -> bool:
    path = proto_subscriptions.SUBSCRIPTIONS_PATH
    expected = proto_subscriptions.render(subscriptions())
    return not path.is_file() or path.read_text(encoding="utf-8") != expected


def generate(*, check: bool) -> list[str]:
    """Write (or, with ``check``, only list) the stale generated files."""
    stale: list[str] = []
    path = proto_subscriptions.SUBSCRIPTIONS_PATH
    if subscriptions_stale():
        stale.append(str(path.relative_to(ROOT)))
        if not check:
            path.write_text(proto_subscriptions.render(subscriptions()), encoding="utf-8", newline="\n")
    # The topology and AsyncAPI read the subscriptions at import: reload them from the new file.
    proto_subscriptions.SUBSCRIPTIONS.clear()
    proto_subscriptions.SUBSCRIPTIONS.update(
        proto_subscriptions.load() if not check else json_subscriptions()
    )
    changed = proto_generate.check() if check else proto_generate.write()
    stale += [str(p.relative_to(ROOT)) for p in changed]
    deploy = _deploy_generator()
    definitions = Path(deploy.DEFINITIONS_PATH)
    if not definitions.is_file() or definitions.read_text(encoding="utf-8") != deploy.render():
        stale.append(str(definitions.relative_to(ROOT)))
        if not check:
            deploy.main()
    return stale
