"""The deploy/ consistency checks: each returns the problems it finds (empty when all is well)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from prometheus_client.metrics import MetricWrapperBase

from luoshi_cli.registry import upstream_env
from luoshi_kit import metrics
from luoshi_kit.messaging.topology import rabbitmq_definitions
from tests.contract.deploy_files import (
    ACCOUNT_SECTIONS,
    DEPLOY,
    INTERPOLATION,
    REQUIRED_VARIABLES,
    ROOT,
    SAMPLE_ENV,
    SECRET_NAME,
    SERVICE_NAMES,
    TOPOLOGY_SECTIONS,
    Deploy,
    MissingVariableError,
    command,
    conf_values,
    container_port,
    environment,
    healthcheck_urls,
    init_sql_databases,
    listen_port,
    mounts,
    option,
    resolved_services,
    scrape_targets,
    service_settings,
    strings,
)

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


def check_metrics_token(deploy: Deploy) -> list[str]:
    """The gateway's /metrics wants a token; Prometheus sends the same one (a compose secret)."""
    problems = []
    services = resolved_services(deploy)
    gateway = services.get("gateway") or {}
    if not service_settings("gateway", environment(gateway)).values.metrics_token:
        problems.append("gateway: LUOSHI_METRICS_TOKEN is not set (its /metrics would be off)")
    for name in SERVICE_NAMES:
        if name != "gateway" and "LUOSHI_METRICS_TOKEN" in environment(services.get(name) or {}):
            problems.append(f"{name}: LUOSHI_METRICS_TOKEN is for the gateway only")
    jobs = [j for j in deploy.prometheus.get("scrape_configs") or [] if j.get("job_name") == "luoshi"]
    auth = (jobs[0].get("authorization") or {}) if jobs else {}
    credentials = str(auth.get("credentials_file", ""))
    if str(auth.get("type", "Bearer")) != "Bearer" or not credentials.startswith("/run/secrets/"):
        problems.append("prometheus: the luoshi job sends no bearer token from /run/secrets/<secret>")
    secret = credentials.removeprefix("/run/secrets/")
    prometheus = services.get("prometheus") or {}
    if secret not in (prometheus.get("secrets") or []):
        problems.append(f"prometheus: the secret {secret!r} is not given to the prometheus service")
    source = (deploy.compose.get("secrets") or {}).get(secret) or {}
    if source.get("environment") != "LUOSHI_METRICS_TOKEN":
        problems.append(f"compose: secret {secret!r} does not come from LUOSHI_METRICS_TOKEN")
    for name in SERVICE_NAMES:
        if name != "gateway" and (services.get(name) or {}).get("ports"):
            problems.append(f"{name}: publishes a port; only the gateway may face the outside")
    return problems


CHECKS: list[Callable[[Deploy], list[str]]] = [
    check_metrics_token,
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
