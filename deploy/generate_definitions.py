"""Writes deploy/rabbitmq/definitions.json from the topology every service declares.

Run it after changing ``luoshi_kit.messaging.topology`` (``tests/contract/test_deploy.py`` fails until
you do)::

    uv run python deploy/generate_definitions.py

The file holds the virtual host and the topology (exchanges, queues, bindings) and no account: a node
that imports definitions at boot creates neither the default virtual host nor a default user, so the
file declares ``/`` itself, and ``rabbitmq/entrypoint.sh`` adds the account from the environment at
start-up (the password never lands in a file of the repository).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from luoshi_kit.messaging.topology import rabbitmq_definitions

DEFINITIONS_PATH = Path(__file__).resolve().parent / "rabbitmq" / "definitions.json"
VHOSTS: list[dict[str, Any]] = [{"name": "/"}]


def definitions() -> dict[str, Any]:
    """``rabbitmq_definitions()`` plus the virtual host its queues and exchanges live in."""
    return {**rabbitmq_definitions(), "vhosts": VHOSTS}


def render() -> str:
    return json.dumps(definitions(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    DEFINITIONS_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {DEFINITIONS_PATH}")


if __name__ == "__main__":
    main()
