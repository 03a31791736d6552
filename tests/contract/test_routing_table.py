"""The gateway forwards every public route of every service to the service that owns it."""

from __future__ import annotations

import pytest

from luoshi_cli.registry import SERVICES
from luoshi_gateway.proxy.client import RESOURCE_OWNERS
from luoshi_gateway.proxy.public import PUBLIC_OWNERS

SECRETS = {"internal_secret": "s" * 34, "amqp_url": "amqp://unused"}


@pytest.mark.parametrize("entry", [s for s in SERVICES if s.name != "gateway"], ids=lambda s: s.name)
def test_each_service_route_is_forwarded_to_its_owner(entry) -> None:
    app = entry.factory()(entry.settings(**SECRETS))
    paths = [path for path in app.openapi()["paths"] if path.startswith("/api/v1/")]
    resources = {path.split("/")[3] for path in paths if not path.startswith("/api/v1/public/")}
    wrong = {r: RESOURCE_OWNERS.get(r) for r in resources if RESOURCE_OWNERS.get(r) != entry.name}
    assert not wrong, f"gateway RESOURCE_OWNERS must send these to {entry.name}: {wrong}"
    public = {path.split("/")[4] for path in paths if path.startswith("/api/v1/public/")}
    wrong = {r: PUBLIC_OWNERS.get(r) for r in public if PUBLIC_OWNERS.get(r) != entry.name}
    assert not wrong, f"gateway PUBLIC_OWNERS must send these to {entry.name}: {wrong}"
