"""deploy/ agrees with itself and with the code: compose.yaml, Prometheus, RabbitMQ and PostgreSQL files.

Each check returns the problems it finds (an empty list when all is well). The ``test_check_passes`` tests
run them on the files in deploy/; ``test_check_catches`` proves every check can fail by breaking one
thing at a time (a port in one place, a missing variable, a default secret, ...) in a copy.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from luoshi_cli.registry import SERVICES, upstream_env
from luoshi_kit import metrics
from luoshi_kit.messaging.topology import rabbitmq_definitions

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


@pytest.fixture(scope="module")
def deploy() -> Deploy:
    return load_deploy()


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


# ------------------------------------------------------------------------------------------------ checks


def check_services(deploy: Deploy) -> list[str]:
    """Every service of the registry is in compose, built from deploy/Dockerfile, serving itself."""
    problems = []
    for name in SERVICE_NAMES:
        service = deploy.services.get(name)
        if service is None:
            problems.append(f"{name}: missing from compose.yaml")
            continue
        build = service.get("build")
        if not isinstance(build, dict):
            problems.append(f"{name}: not built (needs build: context/dockerfile)")
        else:
            context = (DEPLOY / str(build.get("context", "."))).resolve()
            dockerfile = (context / str(build.get("dockerfile", "Dockerfile"))).resolve()
            if dockerfile != DEPLOY / "Dockerfile":
                problems.append(f"{name}: built from {dockerfile}, not deploy/Dockerfile")
            if context != ROOT:
                problems.append(f"{name}: build context {context} is not the repository root")
        cmd = command(service)
        if cmd[:3] != ["luoshi", "serve", name]:
            problems.append(f"{name}: command {cmd} does not run `luoshi serve {name}`")
        if option(cmd, "--host") != "0.0.0.0":
            problems.append(f"{name}: must listen on --host 0.0.0.0 to be reachable from other containers")
        if listen_port(service) is None:
            problems.append(f"{name}: command gives no --port")
    if not (DEPLOY / "Dockerfile.dockerignore").is_file():
        problems.append("deploy/Dockerfile.dockerignore is missing (BuildKit reads it for deploy/Dockerfile)")
    return problems


def check_ports(deploy: Deploy) -> list[str]:
    """The port in each command = its exposed port = its published container port = healthcheck = scrape."""
    problems = []
    services = resolved_services(deploy)
    targets = scrape_targets(deploy.prometheus)
    for name in SERVICE_NAMES:
        service = services.get(name)
        if service is None or (port := listen_port(service)) is None:
            continue  # check_services reports it
        exposed = {container_port(e) for e in service.get("expose") or []}
        if port not in exposed:
            problems.append(f"{name}: listens on {port} but exposes {sorted(map(str, exposed))}")
        for entry in service.get("ports") or []:
            if container_port(entry) != port:
                problems.append(f"{name}: publishes container port of {entry!r}, but listens on {port}")
        health = healthcheck_urls(service)
        if not health:
            problems.append(f"{name}: healthcheck calls no http://127.0.0.1:<port>/readyz")
        for health_port, path in health:
            if health_port != port:
                problems.append(f"{name}: healthcheck calls port {health_port}, service listens on {port}")
            if path != "/readyz":
                problems.append(f"{name}: healthcheck calls {path}, not /readyz")
        scraped = [p for _, host, p in targets if host == name]
        if not scraped:
            problems.append(f"{name}: Prometheus does not scrape it")
        for scraped_port in scraped:
            if scraped_port != port:
                problems.append(f"{name}: Prometheus scrapes port {scraped_port}, service listens on {port}")
    return problems


def check_scrape_targets(deploy: Deploy) -> list[str]:
    """Prometheus scrapes only compose services, RabbitMQ on its prometheus port, with mounted rules."""
    problems = []
    services = resolved_services(deploy)
    conf = conf_values(deploy.rabbitmq_conf)
    rabbit_metrics_port = int(conf.get("prometheus.tcp.port", "15692"))
    targets = scrape_targets(deploy.prometheus)
    for job, host, port in targets:
        if host not in services:
            problems.append(f"scrape job {job}: target {host}:{port} is no compose service")
        if host == "rabbitmq" and port != rabbit_metrics_port:
            problems.append(
                f"scrape job {job}: rabbitmq:{port}, but its prometheus port is {rabbit_metrics_port}"
            )
    if not any(host == "rabbitmq" for _, host, _ in targets):
        problems.append("Prometheus does not scrape RabbitMQ")
    if "rabbitmq_prometheus" not in deploy.enabled_plugins:
        problems.append("rabbitmq/enabled_plugins does not enable rabbitmq_prometheus")
    prometheus = services.get("prometheus") or {}
    mounted = mounts(prometheus)
    if mounted.get("prometheus/prometheus.yml") != "/etc/prometheus/prometheus.yml":
        problems.append("compose does not mount prometheus/prometheus.yml at /etc/prometheus/prometheus.yml")
    for rule_file in deploy.prometheus.get("rule_files") or []:
        if rule_file not in mounted.values():
            problems.append(f"rule file {rule_file} is not mounted into the prometheus service")
    if "prometheus/alerts.yml" not in mounted:
        problems.append("compose does not mount prometheus/alerts.yml")
    return problems


def check_environment(deploy: Deploy) -> list[str]:
    """Each service's settings class, fed its compose environment, gets everything it needs."""
    problems = []
    services = resolved_services(deploy)
    conf = conf_values(deploy.rabbitmq_conf)
    amqp_port = int(conf.get("listeners.tcp.default", "5672"))
    rabbit_env = environment(services.get("rabbitmq") or {})
    postgres_env = environment(services.get("postgres") or {})
    databases = init_sql_databases(deploy.init_sql)
    delivery_limits = {
        q["arguments"]["x-delivery-limit"]
        for q in deploy.definitions.get("queues", [])
        if "x-delivery-limit" in q.get("arguments", {})
    }
    ports = {name: listen_port(services[name]) for name in SERVICE_NAMES if name in services}
    for name in SERVICE_NAMES:
        if name not in services:
            continue
        env = environment(services[name])
        for key in ("LUOSHI_INTERNAL_SECRET", "LUOSHI_AMQP_URL"):
            if not env.get(key):
                problems.append(f"{name}: {key} is not set")
        if not (env.get("LUOSHI_DATABASE_URL") or env.get(f"LUOSHI_{name.upper()}_DATABASE_URL")):
            problems.append(
                f"{name}: neither LUOSHI_DATABASE_URL nor LUOSHI_{name.upper()}_DATABASE_URL is set"
            )
        settings = service_settings(name, env)
        s = settings.values
        if not s.internal_secret:
            problems.append(f"{name}: settings.internal_secret is empty")
        amqp = urlsplit(s.amqp_url)
        if amqp.scheme != "amqp" or amqp.hostname not in services or amqp.port != amqp_port:
            problems.append(f"{name}: LUOSHI_AMQP_URL {s.amqp_url} does not reach rabbitmq:{amqp_port}")
        if (amqp.username, amqp.password) != (
            rabbit_env.get("LUOSHI_RABBITMQ_USER"),
            rabbit_env.get("LUOSHI_RABBITMQ_PASSWORD"),
        ):
            problems.append(f"{name}: the AMQP account differs from the one the rabbitmq service creates")
        db = urlsplit(settings.database_url)
        database = db.path.lstrip("/")
        if not db.scheme.startswith("postgresql") or db.hostname not in services:
            problems.append(
                f"{name}: database URL {settings.database_url} does not reach a compose PostgreSQL"
            )
        if database not in databases:
            problems.append(f"{name}: database {database!r} is not created by postgres/init.sql")
        if database != f"luoshi_{name}":
            problems.append(f"{name}: uses database {database!r}, expected its own luoshi_{name}")
        if (db.username, db.password) != (
            postgres_env.get("POSTGRES_USER"),
            postgres_env.get("POSTGRES_PASSWORD"),
        ):
            problems.append(f"{name}: the database account differs from the postgres service's")
        if delivery_limits and s.delivery_limit not in delivery_limits:
            problems.append(
                f"{name}: delivery_limit {s.delivery_limit} differs from definitions.json {delivery_limits}"
            )
        if name == "gateway":
            if not s.jwt_secret:
                problems.append("gateway: LUOSHI_JWT_SECRET is not set")
            for key in upstream_env("host", 0):
                upstream = key.removeprefix("LUOSHI_").removesuffix("_URL").lower()
                expected = f"http://{upstream}:{ports.get(upstream)}"
                if env.get(key) != expected:
                    problems.append(f"gateway: {key} is {env.get(key)!r}, expected {expected}")
            if s.upstreams() != {u: f"http://{u}:{ports.get(u)}" for u in s.upstreams()}:
                problems.append(f"gateway: upstreams {s.upstreams()} do not match the services' ports")
    return problems


def check_secrets(deploy: Deploy) -> list[str]:
    """Secrets come only from the operator's environment: ``${VAR:?...}``, never a literal or a default."""
    problems = []
    for text in strings(deploy.compose):
        for match in INTERPOLATION.finditer(text):
            name = match["name"] or match["bare"]
            if name and SECRET_NAME.search(name) and match["op"] != ":?":
                problems.append(f"${{{name}}} must be written ${{{name}:?...}} (no default, not empty)")
    for service_name, service in deploy.services.items():
        for key, value in environment(service).items():
            if SECRET_NAME.search(key) and not re.fullmatch(r"\$\{\w+:\?[^}]*\}", value):
                problems.append(f"{service_name}: {key} must be exactly ${{VAR:?...}}, not {value!r}")
    # Compose refuses to start when any required variable is missing.
    for name in REQUIRED_VARIABLES:
        env = {k: v for k, v in SAMPLE_ENV.items() if k != name}
        try:
            resolved_services(deploy, env)
        except MissingVariableError as exc:
            if exc.name != name:
                problems.append(f"without {name}, compose complains about {exc.name} instead")
        else:
            problems.append(f"compose starts without {name}")
    # Passwords inside URLs come from required variables, too.
    for service_name, service in resolved_services(deploy).items():
        for key, value in environment(service).items():
            password = urlsplit(value).password if "://" in value else None
            if password is not None and password not in SAMPLE_ENV.values():
                problems.append(f"{service_name}: {key} carries a literal password")
    for line in deploy.env_example.splitlines():
        key, _, value = line.partition("=")
        if SECRET_NAME.search(key) and not line.lstrip().startswith("#") and value.strip():
            problems.append(f".env.example gives {key} a value; leave secrets empty there")
    for name in REQUIRED_VARIABLES:
        if not re.search(rf"^{name}=", deploy.env_example, re.MULTILINE):
            problems.append(f".env.example does not list {name}")
    return problems


def check_definitions(deploy: Deploy) -> list[str]:
    """definitions.json is the topology the services declare, plus the virtual host, and no account."""
    problems = []
    expected = rabbitmq_definitions()
    for section in TOPOLOGY_SECTIONS:
        if deploy.definitions.get(section) != expected[section]:
            problems.append(
                f"definitions.json {section} differ from rabbitmq_definitions(): "
                "run `uv run python deploy/generate_definitions.py`"
            )
    extra = set(deploy.definitions) - set(TOPOLOGY_SECTIONS) - set(ACCOUNT_SECTIONS)
    if extra:
        problems.append(f"definitions.json has unexpected sections {sorted(extra)}")
    # Importing definitions at boot skips the default virtual host, so the file must declare it.
    declared = {v.get("name") for v in deploy.definitions.get("vhosts", [])}
    used = {item.get("vhost") for section in TOPOLOGY_SECTIONS for item in expected[section]}
    if missing := used - declared:
        problems.append(f"definitions.json does not declare the virtual host(s) {sorted(missing)}")
    for user in deploy.definitions.get("users", []):
        if "password" in user or "password_hash" in user:
            problems.append(
                f"definitions.json stores a password for {user.get('name')} (use the environment)"
            )
    return problems


def check_rabbitmq(deploy: Deploy) -> list[str]:
    """The rabbitmq service mounts its config, plugins and definitions where rabbitmq.conf loads them."""
    problems = []
    services = resolved_services(deploy)
    rabbitmq = services.get("rabbitmq")
    if rabbitmq is None:
        return ["rabbitmq: missing from compose.yaml"]
    mounted = mounts(rabbitmq)
    conf_target = mounted.get("rabbitmq/rabbitmq.conf")
    if conf_target is None or not (
        conf_target == "/etc/rabbitmq/rabbitmq.conf"
        or (conf_target.startswith("/etc/rabbitmq/conf.d/") and conf_target.endswith(".conf"))
    ):
        problems.append("rabbitmq: rabbitmq/rabbitmq.conf is not mounted where RabbitMQ reads its config")
    if mounted.get("rabbitmq/enabled_plugins") != "/etc/rabbitmq/enabled_plugins":
        problems.append("rabbitmq: rabbitmq/enabled_plugins is not mounted at /etc/rabbitmq/enabled_plugins")
    conf = conf_values(deploy.rabbitmq_conf)
    load = conf.get("load_definitions") or conf.get("definitions.local.path")
    topology = mounted.get("rabbitmq/definitions.json")
    if not load:
        problems.append("rabbitmq.conf does not load definitions (load_definitions)")
    if topology is None:
        problems.append("rabbitmq: rabbitmq/definitions.json is not mounted")
    elif load and topology != load and str(PurePosixPath(topology).parent) != load.rstrip("/"):
        problems.append(
            f"rabbitmq: definitions.json is mounted at {topology}, but rabbitmq.conf loads {load}"
        )
    # The account file written at start-up must land in the same folder, after the topology file.
    script_target = mounted.get("rabbitmq/entrypoint.sh")
    entrypoint = rabbitmq.get("entrypoint") or []
    entrypoint = shlex.split(entrypoint) if isinstance(entrypoint, str) else entrypoint
    if script_target is None or script_target not in entrypoint:
        problems.append("rabbitmq: rabbitmq/entrypoint.sh is not mounted and used as the entrypoint")
    if command(rabbitmq) != ["rabbitmq-server"]:
        problems.append("rabbitmq: an overridden entrypoint needs command: [rabbitmq-server]")
    written_dir = re.search(r"DEFINITIONS_DIR=\$\{\w+:-(?P<dir>[^}]+)\}", deploy.rabbitmq_entrypoint)
    written_file = re.search(r'account="\$DEFINITIONS_DIR/(?P<file>[^"]+)"', deploy.rabbitmq_entrypoint)
    if not written_dir or not load or written_dir["dir"].rstrip("/") != load.rstrip("/"):
        problems.append(
            "rabbitmq/entrypoint.sh does not write the account into the loaded definitions folder"
        )
    topology_in_dir = bool(topology and load) and PurePosixPath(str(topology)).parent == PurePosixPath(
        str(load)
    )
    if topology_in_dir and written_file and written_file["file"] <= PurePosixPath(str(topology)).name:
        problems.append("the account file must sort after the topology file (the virtual host comes first)")
    if not rabbitmq.get("healthcheck"):
        problems.append("rabbitmq: no healthcheck (services wait for service_healthy)")
    return problems


def check_startup_order(deploy: Deploy) -> list[str]:
    """Databases and broker first, then the migration, then the services, the gateway last."""
    problems = []
    services = deploy.services
    migrate = services.get("migrate")
    if migrate is None:
        return ["migrate: missing from compose.yaml"]
    migrate_cmd = " ".join(command(migrate))
    if "luoshi migrate" not in migrate_cmd or "luoshi seed --demo" not in migrate_cmd:
        problems.append("migrate: must run `luoshi migrate` and `luoshi seed --demo`")
    if (migrate.get("depends_on") or {}).get("postgres", {}).get("condition") != "service_healthy":
        problems.append("migrate: must wait for postgres to be healthy")
    if not services.get("postgres", {}).get("healthcheck"):
        problems.append("postgres: no healthcheck")
    init_target = mounts(services.get("postgres") or {}).get("postgres/init.sql", "")
    if not init_target.startswith("/docker-entrypoint-initdb.d/"):
        problems.append("postgres: postgres/init.sql is not mounted into /docker-entrypoint-initdb.d/")
    wanted = {
        "postgres": "service_healthy",
        "rabbitmq": "service_healthy",
        "migrate": "service_completed_successfully",
    }
    for name in SERVICE_NAMES:
        service = services.get(name)
        if service is None:
            continue
        depends = service.get("depends_on") or {}
        if not isinstance(depends, dict):
            problems.append(f"{name}: depends_on needs conditions")
            continue
        needed = dict(wanted)
        if name == "gateway":
            needed |= {other: "service_healthy" for other in SERVICE_NAMES if other != "gateway"}
        for other, condition in needed.items():
            actual = (depends.get(other) or {}).get("condition")
            if actual != condition:
                problems.append(f"{name}: depends_on {other} should be {condition}, is {actual}")
        for other, spec in depends.items():
            if (spec or {}).get("condition") == "service_healthy" and not services.get(other, {}).get(
                "healthcheck"
            ):
                problems.append(f"{name}: waits for {other} to be healthy, but {other} has no healthcheck")
    return problems


def metric_names() -> set[str]:
    """Every sample name the kit's metrics expose (counters end in _total, histograms in _bucket...)."""
    suffixes = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_count", "_sum")}
    names: set[str] = set()
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            for family in value.describe():
                names.update(family.name + suffix for suffix in suffixes.get(family.type, ("",)))
    return names


def check_alerts(deploy: Deploy) -> list[str]:
    """Alert rules are well formed, use metrics that exist, and cover what operators must hear about."""
    problems = []
    rules = [rule for group in deploy.alerts.get("groups") or [] for rule in group.get("rules") or []]
    known = metric_names()
    for rule in rules:
        name = rule.get("alert", "?")
        for field in ("alert", "expr", "for"):
            if not rule.get(field):
                problems.append(f"alert {name}: no {field}")
        if not (rule.get("labels") or {}).get("severity"):
            problems.append(f"alert {name}: no severity label")
        if not (rule.get("annotations") or {}).get("summary"):
            problems.append(f"alert {name}: no summary")
        for metric in re.findall(r"\bluoshi_\w+", str(rule.get("expr", ""))):
            if metric not in known:
                problems.append(f"alert {name}: {metric} is no metric of luoshi_kit.metrics")
    exprs = [(" ".join(str(r.get("expr", "")).split()), str(r.get("for", ""))) for r in rules]
    coverage: dict[str, Callable[[str, str], bool]] = {
        "outbox backlog older than 60 s for 5m": lambda e, f: (
            "luoshi_outbox_oldest_age_seconds" in e and "> 60" in e and f == "5m"
        ),
        "event handling failures": lambda e, f: "luoshi_events_failed_total" in e and "rate(" in e,
        "dead letters": lambda e, f: "dlq" in e,
        "a service down": lambda e, f: re.search(r'up\{job="luoshi"\}\s*==\s*0', e) is not None,
        "HTTP 5xx ratio": lambda e, f: "luoshi_http_requests_total" in e and '"5.."' in e and "/" in e,
        "p99 latency": lambda e, f: (
            "histogram_quantile(0.99" in e and "luoshi_http_request_duration_seconds_bucket" in e
        ),
    }
    for what, matches in coverage.items():
        if not any(matches(e, f) for e, f in exprs):
            problems.append(f"no alert for {what}")
    return problems


CHECKS: list[Callable[[Deploy], list[str]]] = [
    check_services,
    check_ports,
    check_scrape_targets,
    check_environment,
    check_secrets,
    check_definitions,
    check_rabbitmq,
    check_startup_order,
    check_alerts,
]


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
