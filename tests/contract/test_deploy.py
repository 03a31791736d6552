"""deploy/ agrees with itself and with the code: compose.yaml, Prometheus, RabbitMQ and PostgreSQL files.

Each check returns the problems it finds (an empty list when all is well). The ``test_check_passes`` tests
run them on the files in deploy/; ``test_check_catches`` proves every check can fail by breaking one
thing at a time (a port in one place, a missing variable, a default secret, ...) in a copy.
"""

from __future__ import annotations

import copy
import importlib.util
from collections.abc import Callable
from typing import Any

import pytest

from tests.contract.deploy_checks import (
    CHECKS,
    check_alerts,
    check_definitions,
    check_environment,
    check_metrics_token,
    check_ports,
    check_rabbitmq,
    check_scrape_targets,
    check_secrets,
    check_services,
    check_startup_order,
)
from tests.contract.deploy_files import (
    DEPLOY,
    Deploy,
    load_deploy,
)


@pytest.fixture(scope="module")
def deploy() -> Deploy:
    return load_deploy()


@pytest.mark.parametrize("check", CHECKS, ids=[c.__name__ for c in CHECKS])
def test_check_passes(deploy: Deploy, check: Callable[[Deploy], list[str]]) -> None:
    assert check(deploy) == []


def test_definitions_file_is_what_the_generator_writes() -> None:
    """Byte for byte what deploy/generate_definitions.py writes (deterministic: sorted keys, indent 2)."""
    spec = importlib.util.spec_from_file_location("generate_definitions", DEPLOY / "generate_definitions.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    assert generator.render() == generator.render(), "the generator is not deterministic"
    written = (DEPLOY / "rabbitmq" / "definitions.json").read_text(encoding="utf-8")
    assert written == generator.render(), "stale: run `uv run python deploy/generate_definitions.py`"


# --------------------------------------------------------------------------- every check can fail


def _set(path: str, value: Any) -> Callable[[Deploy], None]:
    """A mutation setting ``compose`` (or another document) at a dotted path; ``None`` deletes it."""

    def mutate(d: Deploy) -> None:
        doc_name, *keys = path.split(".")
        node: Any = getattr(d, doc_name)
        for key in keys[:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]
        last: Any = int(keys[-1]) if isinstance(node, list) else keys[-1]
        if value is None:
            del node[last]
        else:
            node[last] = value

    return mutate


def _own_env(service: str, **changes: str | None) -> Callable[[Deploy], None]:
    """Give one service its own copy of the (shared, anchored) environment, then change it."""

    def mutate(d: Deploy) -> None:
        env = dict(d.services[service]["environment"])
        for key, value in changes.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        d.services[service]["environment"] = env

    return mutate


def _command_port(service: str, port: str) -> Callable[[Deploy], None]:
    def mutate(d: Deploy) -> None:
        cmd = list(d.services[service]["command"])
        cmd[cmd.index("--port") + 1] = port
        d.services[service]["command"] = cmd

    return mutate


def _healthcheck_url(service: str, old: str, new: str) -> Callable[[Deploy], None]:
    def mutate(d: Deploy) -> None:
        check = dict(d.services[service]["healthcheck"])
        check["test"] = [part.replace(old, new) for part in check["test"]]
        d.services[service]["healthcheck"] = check

    return mutate


def _target(old: str, new: str) -> Callable[[Deploy], None]:
    def mutate(d: Deploy) -> None:
        for job in d.prometheus["scrape_configs"]:
            for static in job.get("static_configs", []):
                static["targets"] = [new if t == old else t for t in static["targets"]]

    return mutate


def _text(attribute: str, old: str, new: str) -> Callable[[Deploy], None]:
    def mutate(d: Deploy) -> None:
        text = getattr(d, attribute)
        assert old in text, f"{old!r} not in {attribute}"
        setattr(d, attribute, text.replace(old, new))

    return mutate


def _volumes(service: str, keep: Callable[[str], bool]) -> Callable[[Deploy], None]:
    def mutate(d: Deploy) -> None:
        d.services[service]["volumes"] = [v for v in d.services[service]["volumes"] if keep(str(v))]

    return mutate


def _retarget(service: str, source: str, target: str) -> Callable[[Deploy], None]:
    def mutate(d: Deploy) -> None:
        volumes = d.services[service]["volumes"]
        d.services[service]["volumes"] = [
            f"{source}:{target}:ro" if str(v).startswith(source + ":") else v for v in volumes
        ]

    return mutate


def _depends(service: str, other: str, condition: str) -> Callable[[Deploy], None]:
    def mutate(d: Deploy) -> None:
        depends = copy.deepcopy(d.services[service]["depends_on"])
        depends[other] = {"condition": condition}
        d.services[service]["depends_on"] = depends

    return mutate


def _drop_alert(name: str) -> Callable[[Deploy], None]:
    def mutate(d: Deploy) -> None:
        for group in d.alerts["groups"]:
            group["rules"] = [r for r in group["rules"] if r["alert"] != name]

    return mutate


def _alert_expr(name: str, old: str, new: str) -> Callable[[Deploy], None]:
    def mutate(d: Deploy) -> None:
        for group in d.alerts["groups"]:
            for rule in group["rules"]:
                if rule["alert"] == name:
                    rule["expr"] = rule["expr"].replace(old, new)

    return mutate


def _definitions(change: Callable[[dict[str, Any]], None]) -> Callable[[Deploy], None]:
    def mutate(d: Deploy) -> None:
        change(d.definitions)

    return mutate


BREAKAGES: dict[str, tuple[Callable[[Deploy], None], Callable[[Deploy], list[str]]]] = {
    "service removed": (_set("compose.services.scoring", None), check_services),
    "service not built": (_set("compose.services.tasking.build", None), check_services),
    "other Dockerfile": (
        _set("compose.services.tasking.build", {"context": "..", "dockerfile": "Dockerfile"}),
        check_services,
    ),
    "command serves the wrong service": (
        _set(
            "compose.services.scoring.command",
            ["luoshi", "serve", "tasking", "--host", "0.0.0.0", "--port", "8003"],
        ),
        check_services,
    ),
    "listens on loopback": (
        _set("compose.services.tasking.command", ["luoshi", "serve", "tasking", "--port", "8001"]),
        check_services,
    ),
    "command port changed": (_command_port("tasking", "8011"), check_ports),
    "exposed port changed": (_set("compose.services.supervision.expose", ["8012"]), check_ports),
    "published port changed": (_set("compose.services.gateway.ports", ["8000:8080"]), check_ports),
    "healthcheck port changed": (_healthcheck_url("notification", ":8004/", ":8014/"), check_ports),
    "healthcheck not on /readyz": (_healthcheck_url("scoring", "/readyz", "/healthz"), check_ports),
    "scrape port changed": (_target("scoring:8003", "scoring:8013"), check_ports),
    "service not scraped": (_target("supervision:8002", "prometheus:9090"), check_ports),
    "scrape target is no service": (_target("gateway:8000", "api:8000"), check_scrape_targets),
    "rabbitmq scraped on the wrong port": (_target("rabbitmq:15692", "rabbitmq:15672"), check_scrape_targets),
    "prometheus port of rabbitmq changed": (
        _text("rabbitmq_conf", "prometheus.tcp.port = 15692", "prometheus.tcp.port = 15693"),
        check_scrape_targets,
    ),
    "alerts not mounted": (_volumes("prometheus", lambda v: "alerts.yml" not in v), check_scrape_targets),
    "AMQP URL missing": (_own_env("notification", LUOSHI_AMQP_URL=None), check_environment),
    "internal secret missing": (_own_env("tasking", LUOSHI_INTERNAL_SECRET=None), check_environment),
    "database URL missing": (_own_env("scoring", LUOSHI_DATABASE_URL=None), check_environment),
    "database shared by all": (
        _own_env(
            "supervision",
            LUOSHI_DATABASE_URL="postgresql+asyncpg://${LUOSHI_POSTGRES_USER:-luoshi}:"
            "${LUOSHI_POSTGRES_PASSWORD:?x}@postgres:5432/luoshi",
        ),
        check_environment,
    ),
    "database not created by init.sql": (
        _text("init_sql", "CREATE DATABASE luoshi_scoring;", ""),
        check_environment,
    ),
    "AMQP URL to another host": (
        _own_env("tasking", LUOSHI_AMQP_URL="amqp://luoshi:${LUOSHI_RABBITMQ_PASSWORD:?x}@broker:5672/"),
        check_environment,
    ),
    "JWT secret missing": (_own_env("gateway", LUOSHI_JWT_SECRET=None), check_environment),
    "metrics token missing": (_own_env("gateway", LUOSHI_METRICS_TOKEN=None), check_metrics_token),
    "prometheus sends no token": (
        _set("prometheus.scrape_configs.0.authorization", None),
        check_metrics_token,
    ),
    "token secret not given to prometheus": (
        _set("compose.services.prometheus.secrets", None),
        check_metrics_token,
    ),
    "a service port published": (_set("compose.services.tasking.ports", ["8001:8001"]), check_metrics_token),
    "upstream on the wrong port": (
        _own_env("gateway", LUOSHI_SUPERVISION_URL="http://supervision:9999"),
        check_environment,
    ),
    "upstream on the wrong host": (
        _own_env("gateway", LUOSHI_SCORING_URL="http://tasking:8003"),
        check_environment,
    ),
    "upstream missing": (_own_env("gateway", LUOSHI_NOTIFICATION_URL=None), check_environment),
    "upstream stale after a port change": (_command_port("tasking", "8011"), check_environment),
    "delivery limit differs from the queues": (
        _own_env("tasking", LUOSHI_DELIVERY_LIMIT="9"),
        check_environment,
    ),
    "secret with a default": (
        _own_env("tasking", LUOSHI_INTERNAL_SECRET="${LUOSHI_INTERNAL_SECRET:-change-me}"),
        check_secrets,
    ),
    "secret that may be empty": (
        _own_env("gateway", LUOSHI_JWT_SECRET="${LUOSHI_JWT_SECRET}"),
        check_secrets,
    ),
    "literal secret": (_own_env("gateway", LUOSHI_JWT_SECRET="dev-secret"), check_secrets),
    "literal database password": (
        _set("compose.services.postgres.environment.POSTGRES_PASSWORD", "postgres"),
        check_secrets,
    ),
    "literal password in a URL": (
        _own_env("scoring", LUOSHI_AMQP_URL="amqp://luoshi:guest@rabbitmq:5672/"),
        check_secrets,
    ),
    "secret filled in .env.example": (
        _text("env_example", "LUOSHI_JWT_SECRET=\n", "LUOSHI_JWT_SECRET=abc\n"),
        check_secrets,
    ),
    "binding dropped from definitions": (_definitions(lambda d: d["bindings"].pop()), check_definitions),
    "queue argument changed in definitions": (
        _definitions(lambda d: d["queues"][0]["arguments"].update({"x-delivery-limit": 50})),
        check_definitions,
    ),
    "virtual host not declared": (_definitions(lambda d: d.pop("vhosts")), check_definitions),
    "password in definitions": (
        _definitions(lambda d: d.update(users=[{"name": "luoshi", "password_hash": "x", "tags": ""}])),
        check_definitions,
    ),
    "definitions not mounted": (
        _volumes("rabbitmq", lambda v: "definitions.json" not in v),
        check_rabbitmq,
    ),
    "definitions mounted elsewhere": (
        _retarget("rabbitmq", "./rabbitmq/definitions.json", "/tmp/definitions.json"),
        check_rabbitmq,
    ),
    "rabbitmq.conf loads another path": (
        _text("rabbitmq_conf", "load_definitions = /etc/rabbitmq/definitions.d", "load_definitions = /defs"),
        check_rabbitmq,
    ),
    "rabbitmq.conf not mounted": (_volumes("rabbitmq", lambda v: "rabbitmq.conf" not in v), check_rabbitmq),
    "account written before the topology": (
        _text("rabbitmq_entrypoint", "/20-account.json", "/00-account.json"),
        check_rabbitmq,
    ),
    "migration not awaited": (
        _depends("notification", "migrate", "service_started"),
        check_startup_order,
    ),
    "gateway does not wait for a service": (
        _depends("gateway", "scoring", "service_started"),
        check_startup_order,
    ),
    "migrate does not seed": (
        _set("compose.services.migrate.command", ["luoshi", "migrate"]),
        check_startup_order,
    ),
    "init.sql not mounted": (_volumes("postgres", lambda v: "init.sql" not in v), check_startup_order),
    "outbox alert dropped": (_drop_alert("LuoshiOutboxBacklogStale"), check_alerts),
    "alert on a metric that does not exist": (
        _alert_expr(
            "LuoshiEventHandlingFailures", "luoshi_events_failed_total", "luoshi_event_failures_total"
        ),
        check_alerts,
    ),
    "p99 alert dropped": (_drop_alert("LuoshiHttpLatencyP99High"), check_alerts),
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_check_catches(deploy: Deploy, breakage: str) -> None:
    mutate, check = BREAKAGES[breakage]
    broken = copy.deepcopy(deploy)
    mutate(broken)
    assert check(broken), f"{check.__name__} did not notice: {breakage}"
