"""What deploy/ holds, loaded and parsed: compose (with its interpolation), Prometheus, RabbitMQ and
PostgreSQL files, and the helpers the deploy checks read them with."""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import yaml

from luoshi_cli.registry import SERVICES

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SERVICE_NAMES = [s.name for s in SERVICES]
TOPOLOGY_SECTIONS = ("exchanges", "queues", "bindings")
ACCOUNT_SECTIONS = ("users", "vhosts", "permissions")
# Compose variables that must come from the operator: compose refuses to start without them.
REQUIRED_VARIABLES = (
    "LUOSHI_INTERNAL_SECRET",
    "LUOSHI_JWT_SECRET",
    "LUOSHI_POSTGRES_PASSWORD",
    "LUOSHI_RABBITMQ_PASSWORD",
    "LUOSHI_METRICS_TOKEN",
)
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|_PASS$|TOKEN|PRIVATE_KEY", re.IGNORECASE)
INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<name>[A-Za-z_]\w*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}|(?P<bare>[A-Za-z_]\w*))"
)
LOCAL_URL = re.compile(r"https?://(?:127\.0\.0\.1|localhost|\[::1\]):(?P<port>\d+)(?P<path>/[\w/.-]*)")


def sample(name: str) -> str:
    """The value a required variable gets in these tests: recognisable, and safe inside a URL."""
    return f"sample-{name.lower().replace('_', '-')}"


SAMPLE_ENV = {name: sample(name) for name in REQUIRED_VARIABLES}


# --------------------------------------------------------------------------------------------- loading


@dataclass
class Deploy:
    compose: dict[str, Any]
    prometheus: dict[str, Any]
    alerts: dict[str, Any]
    definitions: dict[str, Any]
    rabbitmq_conf: str
    enabled_plugins: str
    rabbitmq_entrypoint: str
    init_sql: str
    env_example: str

    @property
    def services(self) -> dict[str, Any]:
        services: dict[str, Any] = self.compose.get("services") or {}
        return services


def load_deploy() -> Deploy:
    def text(relative: str) -> str:
        return (DEPLOY / relative).read_text(encoding="utf-8")

    return Deploy(
        compose=yaml.safe_load(text("compose.yaml")),
        prometheus=yaml.safe_load(text("prometheus/prometheus.yml")),
        alerts=yaml.safe_load(text("prometheus/alerts.yml")),
        definitions=json.loads(text("rabbitmq/definitions.json")),
        rabbitmq_conf=text("rabbitmq/rabbitmq.conf"),
        enabled_plugins=text("rabbitmq/enabled_plugins"),
        rabbitmq_entrypoint=text("rabbitmq/entrypoint.sh"),
        init_sql=text("postgres/init.sql"),
        env_example=text(".env.example"),
    )


# ------------------------------------------------------------------------- compose interpolation helpers


class MissingVariableError(Exception):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``, ``${VAR:?err}``, ``${VAR?err}``,
    ``${VAR:+alt}`` and ``$$``."""

    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["name"] or match["bare"]
        op, arg = match["op"], match["arg"] or ""
        is_set, current = name in env, env.get(name, "")
        if op in (":-", "-"):
            return current if (current if op == ":-" else is_set) else arg
        if op in (":?", "?"):
            if not (current if op == ":?" else is_set):
                raise MissingVariableError(name)
            return current
        if op in (":+", "+"):
            return arg if (current if op == ":+" else is_set) else ""
        return current

    return INTERPOLATION.sub(substitute, value)


def resolve(node: Any, env: dict[str, str]) -> Any:
    """A copy of a parsed YAML tree with every string interpolated."""
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, dict):
        return {key: resolve(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(item, env) for item in node]
    return node


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's ``environment`` as a mapping, whichever of the two compose forms it uses."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(entry.split("=", 1) if "=" in entry else (entry, "") for entry in env)
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def resolved_services(deploy: Deploy, env: dict[str, str] | None = None) -> dict[str, Any]:
    services: dict[str, Any] = resolve(deploy.services, SAMPLE_ENV if env is None else env)
    return services


def command(service: dict[str, Any]) -> list[str]:
    cmd = service.get("command") or []
    return shlex.split(cmd) if isinstance(cmd, str) else [str(part) for part in cmd]


def option(cmd: list[str], name: str) -> str | None:
    for i, part in enumerate(cmd):
        if part == name and i + 1 < len(cmd):
            return cmd[i + 1]
        if part.startswith(name + "="):
            return part.split("=", 1)[1]
    return None


def listen_port(service: dict[str, Any]) -> int | None:
    port = option(command(service), "--port")
    return int(port) if port and port.isdigit() else None


def container_port(entry: Any) -> int | None:
    """The container side of a ``ports``/``expose`` entry: ``8000``, ``"8000:8000"``, ``"ip:h:c/tcp"``."""
    if isinstance(entry, dict):
        entry = entry.get("target")
    last = str(entry).rsplit(":", 1)[-1].split("/", 1)[0]
    return int(last) if last.isdigit() else None


def healthcheck_urls(service: dict[str, Any]) -> list[tuple[int, str]]:
    test = (service.get("healthcheck") or {}).get("test") or []
    joined = test if isinstance(test, str) else " ".join(str(part) for part in test)
    return [(int(m["port"]), m["path"]) for m in LOCAL_URL.finditer(joined)]


def scrape_targets(prometheus: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(job, host, port) for every static target."""
    targets = []
    for job in prometheus.get("scrape_configs") or []:
        for static in job.get("static_configs") or []:
            for target in static.get("targets") or []:
                host, _, port = str(target).rpartition(":")
                targets.append((str(job.get("job_name")), host, int(port) if port.isdigit() else -1))
    return targets


def conf_values(conf: str) -> dict[str, str]:
    """``key = value`` lines of a rabbitmq.conf (new-style, sysctl format)."""
    values = {}
    for line in conf.splitlines():
        line = line.split("#", 1)[0].strip()
        if "=" in line:
            key, value = (part.strip() for part in line.split("=", 1))
            values[key] = value
    return values


def mounts(service: dict[str, Any]) -> dict[str, str]:
    """Bind mounts of a service: source (relative to deploy/, normalised) -> container path."""
    found = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            source, target = str(volume.get("source", "")), str(volume.get("target", ""))
        else:
            parts = str(volume).split(":")
            if len(parts) < 2:
                continue
            source, target = parts[0], parts[1]
        if source.startswith((".", "/")):
            found[os.path.normpath(source)] = target
    return found


def init_sql_databases(init_sql: str) -> set[str]:
    return set(re.findall(r'CREATE\s+DATABASE\s+"?(\w+)"?', init_sql, re.IGNORECASE))


@dataclass
class Settings:
    values: Any
    database_url: str


def service_settings(name: str, env: dict[str, str]) -> Settings:
    """The service's own settings class, reading exactly ``env`` (as it would inside its container)."""
    entry = next(s for s in SERVICES if s.name == name)
    with mock.patch.dict(os.environ, env, clear=True):
        values = entry.settings_class()()
        return Settings(values, values.resolved_database_url())
