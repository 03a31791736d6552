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
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from tests.e2e.cluster import Cluster
from tests.e2e.conftest import distributed_cluster

OPENAPI = "/api/v1/openapi.json"
PUBLIC = {("POST", "/api/v1/auth/token"), ("POST", "/api/v1/auth/refresh")}
# Only what must be left out, and why:
EXCLUDED = {
    # Signing out revokes the very access token the run authenticates with (and its refresh family):
    # every later case would get 401. tests/e2e/test_authorisation_matrix.py and the gateway's
    # integration tests cover logout.
    ("POST", "/api/v1/auth/logout"),
}
EXAMPLES_PER_OPERATION = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    unsupported_method,
    ignored_auth,
]
RUN: Counter[str] = Counter()
TOKENS: dict[str, str] = {}


@pytest.fixture(scope="module")
def contract_cluster(
    amqp_url: str, postgres_server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    started = time.monotonic()
    with distributed_cluster(amqp_url, postgres_server_url, tmp_path_factory) as cluster:
        RUN["startup_seconds"] = int(time.monotonic() - started)
        yield cluster


def _token(cluster: Cluster, username: str) -> str:
    response = httpx.post(
        f"{cluster.url}/api/v1/auth/token",
        data={"username": username, "password": cluster.demo_password},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _schema(cluster: Cluster, username: str) -> Any:
    schema = schemathesis.openapi.from_url(f"{cluster.url}{OPENAPI}", timeout=30)
    for method, path in EXCLUDED:
        schema = schema.exclude(method=method, path=path)
    TOKENS[username] = _token(cluster, username)
    return schema


@pytest.fixture(scope="module")
def as_admin(contract_cluster: Cluster) -> Any:
    return _schema(contract_cluster, "admin")


@pytest.fixture(scope="module")
def as_county_handler(contract_cluster: Cluster) -> Any:
    return _schema(contract_cluster, "county_handler")


def test_every_operation_declares_security_and_problem_errors(contract_cluster: Cluster) -> None:
    document = httpx.get(f"{contract_cluster.url}{OPENAPI}", timeout=30).json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    assert "HTTPValidationError" not in document["components"]["schemas"]
    unsecured, undeclared = [], []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            key = (method.upper(), path)
            if key not in PUBLIC and operation.get("security") != [{"OAuth2PasswordBearer": []}]:
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


def _run(case: Any, cluster: Cluster, role: str) -> None:
    RUN[role] += 1
    headers = {"Authorization": f"Bearer {TOKENS[role]}"}
    case.call_and_validate(base_url=cluster.url, headers=headers, checks=CHECKS, timeout=30)


_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,
)
admin_schema = schemathesis.pytest.from_fixture("as_admin")
handler_schema = schemathesis.pytest.from_fixture("as_county_handler")


@admin_schema.parametrize()
@_SETTINGS
def test_contract_as_admin(case: Any, contract_cluster: Cluster) -> None:
    _run(case, contract_cluster, "admin")


@handler_schema.parametrize()
@_SETTINGS
def test_contract_as_county_handler(case: Any, contract_cluster: Cluster) -> None:
    _run(case, contract_cluster, "county_handler")


def test_contract_run_covered_both_roles() -> None:
    """Runs last in this module: the two runs above really sent cases (and how many, for the report)."""
    print(f"\nschemathesis cases: {dict(RUN)}")
    assert RUN["admin"] > 100 and RUN["county_handler"] > 100
