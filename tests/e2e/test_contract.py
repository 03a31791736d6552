"""The contract gate: schemathesis against the gateway's merged OpenAPI on the real services.

Luoshi runs distributed (five processes, RabbitMQ, PostgreSQL) on a cluster of its own, because the run
writes whatever the schema allows (tasks, organisations, rules) and must not disturb the other e2e tests.
Each operation is exercised as ``admin`` and as ``county_handler`` with a bounded number of generated
examples (schemathesis's examples, coverage and fuzzing phases; the stateful phase is off). A case fails on
a 5xx, a body that does not match the documented schema, a status code or content type the document does
not declare, or a 405 without ``Allow``. The document itself must declare ``security`` on every operation
except the public sign-in routes.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from schemathesis.schemas import BaseSchema

from tests.e2e.cluster import Cluster, wait_for_seed_delivered
from tests.e2e.conftest import distributed_cluster

OPENAPI = "/api/v1/openapi.json"
PUBLIC = {("POST", "/api/v1/auth/token"), ("POST", "/api/v1/auth/refresh")}
PORTAL = "/api/v1/public/"  # the public portal: answered without sign-in, declared with ``security: []``
# Only what must be left out, and why:
EXCLUDED = {
    # Signing out revokes the very access token the run authenticates with (and its refresh family):
    # every later case would get 401. tests/e2e/test_authorisation_matrix.py and the gateway's
    # integration tests cover logout.
    ("POST", "/api/v1/auth/logout"),
    # The live inbox is a server-sent-event stream that stays open: every case would wait out the request
    # timeout. tests/e2e covers it (notification's stream test through the gateway).
    ("GET", "/api/v1/notifications/stream"),
}
EXAMPLES_PER_OPERATION = 5
PYTHON_COMPILER_RACE = "AST constructor recursion depth mismatch"
CHECKS = (
    "not_a_server_error",  # any 5xx
    "status_code_conformance",  # a status the document does not declare
    "content_type_conformance",  # a content type the document does not declare
    "response_schema_conformance",  # a body that does not match the declared schema
    "response_headers_conformance",  # declared headers missing or malformed
    "unsupported_method",  # a method the path does not serve must be 405 with Allow
    "ignored_auth",  # an operation that declares security must refuse a request without it
)
RUN: Counter[str] = Counter()
# Starting a cluster of its own and one role's run take a few minutes each on a busy 2-core machine.
pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def contract_cluster(
    amqp_url: str, postgres_server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    data_dir = Path(tmp_path_factory.mktemp("contract"))
    with distributed_cluster(amqp_url, postgres_server_url, data_dir) as cluster:
        cluster.start()
        wait_for_seed_delivered(cluster)
        yield cluster


def _token(cluster: Cluster, username: str) -> str:
    response = httpx.post(
        f"{cluster.url}/api/v1/auth/token",
        data={"username": username, "password": cluster.demo_password},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _config(cluster: Cluster, username: str) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "base-url": cluster.url,
            "headers": {"Authorization": f"Bearer {_token(cluster, username)}"},
            "workers": 2,
            "request-timeout": 30,
            "seed": 8,  # the same cases every run, so a failure reproduces
            "generation": {"max-examples": EXAMPLES_PER_OPERATION},
            "phases": {"stateful": {"enabled": False}},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        }
    )


def run_schemathesis(cluster: Cluster, username: str) -> tuple[int, list[str]]:
    """All operations of the merged document as ``username``: (cases sent, failures found)."""
    config = _config(cluster, username)
    schema: BaseSchema = schemathesis.openapi.from_url(f"{cluster.url}{OPENAPI}", config=config, timeout=30)
    for method, path in EXCLUDED:
        schema = schema.exclude(method=method, path=path)
    cases, failures = 0, []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            cases += len(event.recorder.cases)
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        detail = " ".join(str(failure.message).split())[:400]
                        failures.append(f"{event.recorder.label}: {check.name}: {failure.title}: {detail}")
        elif isinstance(event, events.NonFatalError):
            if PYTHON_COMPILER_RACE in event.info.message:
                # CPython 3.11's compiler is not thread-safe ("AST constructor recursion depth mismatch"):
                # a crash of the generator in one of its two worker threads, not an answer of ours.
                continue
            failures.append(f"{event.label}: error: {event.info.message}")
        elif isinstance(event, events.FatalError):
            failures.append(f"run: fatal error: {event.exception!r}")
    return cases, sorted(set(failures))


def test_every_operation_declares_security_and_problem_errors(contract_cluster: Cluster) -> None:
    document = httpx.get(f"{contract_cluster.url}{OPENAPI}", timeout=30).json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    assert "HTTPValidationError" not in document["components"]["schemas"]
    unsecured, undeclared = [], []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            key = (method.upper(), path)
            expected: list[dict[str, list[str]]] = (
                [] if path.startswith(PORTAL) else [{"OAuth2PasswordBearer": []}]
            )
            if key not in PUBLIC and operation.get("security") != expected:
                unsecured.append(key)
            for status, response in operation["responses"].items():
                if int(status) >= 400 and list(response.get("content", {})) != ["application/problem+json"]:
                    undeclared.append((*key, status))
            if "422" in operation["responses"]:
                ref = operation["responses"]["422"]["content"]["application/problem+json"]["schema"]
                assert ref == {"$ref": "#/components/schemas/ValidationProblem"}, key
    assert unsecured == []
    assert undeclared == []
    assert len(document["paths"]) > 40


@pytest.mark.parametrize("username", ["admin", "county_handler"])
def test_schemathesis_finds_nothing(contract_cluster: Cluster, username: str) -> None:
    started = time.monotonic()
    cases, failures = run_schemathesis(contract_cluster, username)
    RUN[username] = cases
    RUN[f"{username}_seconds"] = int(time.monotonic() - started)
    print(f"\nschemathesis as {username}: {cases} cases in {RUN[f'{username}_seconds']} s")
    assert cases > 300, "the run sent too few cases to mean anything"
    assert failures == [], "\n".join(failures)
