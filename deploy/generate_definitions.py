"""Writes deploy/rabbitmq/definitions.json from the topology every service declares.

Run it after changing ``luoshi_kit.messaging.topology`` (``tests/contract/test_deploy.py`` fails until
you do)::

    uv run python deploy/generate_definitions.py

The file holds the virtual host, the topology (exchanges, queues, bindings) and the read-only accounts of
other platforms (``PLATFORMS``), never a password: a node that imports definitions at boot creates neither
the default virtual host nor a default user, so the file declares ``/`` itself, and ``rabbitmq/entrypoint.sh``
adds Luoshi's own account — and a password for each platform given one in the environment
(``LUOSHI_PLATFORM_PASSWORD_<NAME>``) —
at start-up (no password lands in a file of the repository).

A platform ``gongwen`` gets the user ``platform-gongwen``: it may declare and bind queues named
``platform.gongwen.…`` and read from ``luoshi.events`` through them, nothing else (no write on the
exchange: it cannot publish Luoshi events). docs/amqp-subscribers.md says how it subscribes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from luoshi_kit.messaging.topology import rabbitmq_definitions

DEFINITIONS_PATH = Path(__file__).resolve().parent / "rabbitmq" / "definitions.json"
VHOSTS: list[dict[str, Any]] = [{"name": "/"}]

# Other platforms that bind their own queues to luoshi.events (互联互通): name -> what it is.
PLATFORMS: dict[str, str] = {
    "gongwen": "公文办理 document processing",
    "yingji": "应急管理 emergency management",
    "egov": "省政务云 provincial e-government cloud",
}


def platform_accounts(vhost: str = "/") -> dict[str, list[dict[str, Any]]]:
    """A user per platform (no password: set in the environment) with read-only rights on the exchange."""
    users = [{"name": f"platform-{name}", "tags": ""} for name in sorted(PLATFORMS)]
    permissions = [platform_permissions(name, vhost) for name in sorted(PLATFORMS)]
    return {"users": users, "permissions": permissions}


def platform_permissions(name: str, vhost: str = "/") -> dict[str, str]:
    """Declare and bind its own ``platform.<name>.…`` queues, read them and the exchange; nothing else."""
    return {
        "user": f"platform-{name}",
        "vhost": vhost,
        "configure": rf"^platform\.{name}\.",
        "write": rf"^platform\.{name}\.",
        "read": rf"^(luoshi\.events|platform\.{name}\..*)$",
    }


def definitions() -> dict[str, Any]:
    """``rabbitmq_definitions()``, the virtual host of its queues and exchanges, the platforms' accounts."""
    return {**rabbitmq_definitions(), "vhosts": VHOSTS, **platform_accounts()}


def render() -> str:
    return json.dumps(definitions(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    DEFINITIONS_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {DEFINITIONS_PATH}")


if __name__ == "__main__":
    main()
