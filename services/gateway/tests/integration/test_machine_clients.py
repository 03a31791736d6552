"""Machine clients (接入系统): OAuth2 client credentials with a secret or a signed JWT assertion, scoped to a
subtree and a set of actions, every call audited; administrators of a scope manage them."""

from __future__ import annotations

import base64
import time
import uuid

import httpx
import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from luoshi_gateway.audit.models import AuditRecord
from luoshi_gateway.clients.models import MachineClient
from luoshi_kit.identity import IDENTITY_HEADER, verify_identity
from luoshi_kit.testing import TEST_SECRET
from services.gateway.tests.integration.conftest import (
    CITY,
    COUNTY,
    SIBLING,
    GatewayFactory,
    count,
    fake_upstream,
    headers_of,
)

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


async def _token(client: httpx.AsyncClient, **form: str) -> httpx.Response:
    return await client.post("/api/v1/auth/token", data={"grant_type": "client_credentials", **form})


def _basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


async def test_a_client_acts_within_its_actions_and_subtree_and_is_audited(
    make_gateway: GatewayFactory,
) -> None:
    seen: list[dict[str, str]] = []

    async def echo(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response({"path": request.path_qs}, status=201)

    async for upstream in fake_upstream(echo):
        async with make_gateway(tasking_url=upstream) as (app, client):
            admin = await headers_of(client, "city_admin")
            created = await client.post(
                "/api/v1/machine-clients",
                json={"name": "贵阳市公文办理系统", "org_code": CITY, "actions": ["documents.register"]},
                headers=admin,
            )
            assert created.status_code == 201, created.text
            body = created.json()
            client_id, secret = body["id"], body["client_secret"]
            assert body["actions"] == ["documents.register"] and "secret_hash" not in body

            # Secret in the form, and with HTTP Basic: both give a machine token without a refresh token.
            token = await _token(client, client_id=client_id, client_secret=secret)
            assert token.status_code == 200, token.text
            assert token.json()["refresh_token"] is None
            basic = await client.post(
                "/api/v1/auth/token",
                data={"grant_type": "client_credentials"},
                headers=_basic(client_id, secret),
            )
            assert basic.status_code == 200, basic.text
            bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}

            allowed = await client.post("/api/v1/documents", json={"title": "x"}, headers=bearer)
            assert allowed.status_code == 201, allowed.text
            identity = verify_identity(seen[-1][IDENTITY_HEADER], TEST_SECRET)
            assert identity.person_id == client_id and identity.org_code == CITY
            assert identity.roles == ["machine", "office"]

            # Not granted: a task, the people list, who-am-I — 403, audited; the service never sees them.
            calls = len(seen)
            for method, path in (
                ("POST", "/api/v1/tasks"),
                ("GET", "/api/v1/people"),
                ("GET", "/api/v1/auth/me"),
            ):
                refused = await client.request(
                    method, path, headers=bearer, json={} if method == "POST" else None
                )
                assert refused.status_code == 403, (path, refused.text)
                assert refused.json()["type"] == "urn:luoshi:problem:forbidden"
            assert len(seen) == calls
            assert (
                await count(
                    app, AuditRecord, AuditRecord.action == "client.call", AuditRecord.outcome == "denied"
                )
                == 3
            )
            assert (
                await count(
                    app, AuditRecord, AuditRecord.action == "client.call", AuditRecord.actor_id == client_id
                )
                == 4
            )

            # Wrong secret, unknown client: one answer, audited.
            wrong = await _token(client, client_id=client_id, client_secret="mcs_wrong")
            unknown = await _token(client, client_id="mc-0000000000000000", client_secret=secret)
            assert wrong.status_code == unknown.status_code == 401
            assert wrong.json()["type"] == unknown.json()["type"] == "urn:luoshi:problem:invalid-client"
            assert (
                await count(
                    app,
                    AuditRecord,
                    AuditRecord.action == "auth.client_token",
                    AuditRecord.outcome == "failure",
                )
                == 2
            )

            # Deactivated: its tokens stop working (after the auth cache), no new token.
            patched = await client.patch(
                f"/api/v1/machine-clients/{client_id}", json={"active": False}, headers=admin
            )
            assert patched.status_code == 200 and patched.json()["active"] is False
            assert (await client.post("/api/v1/documents", json={}, headers=bearer)).status_code == 401
            assert (await _token(client, client_id=client_id, client_secret=secret)).status_code == 401


async def test_secret_rotation_keeps_the_old_secret_for_the_overlap_only(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway() as (_app, client):
        admin = await headers_of(client, "city_admin")
        body = {"name": "应急管理平台", "org_code": CITY, "actions": ["tasks.create", "tasks.read"]}
        created = (await client.post("/api/v1/machine-clients", json=body, headers=admin)).json()
        client_id, old = created["id"], created["client_secret"]
        rotated = await client.post(
            f"/api/v1/machine-clients/{client_id}/secret", json={"overlap_hours": 1}, headers=admin
        )
        assert rotated.status_code == 200, rotated.text
        new = rotated.json()["client_secret"]
        assert new != old and rotated.json()["previous_secret_until"] is not None
        assert (await _token(client, client_id=client_id, client_secret=old)).status_code == 200
        assert (await _token(client, client_id=client_id, client_secret=new)).status_code == 200
        # No overlap: the old secret stops at once.
        again = await client.post(
            f"/api/v1/machine-clients/{client_id}/secret", json={"overlap_hours": 0}, headers=admin
        )
        newest = again.json()["client_secret"]
        assert (await _token(client, client_id=client_id, client_secret=new)).status_code == 401
        assert (await _token(client, client_id=client_id, client_secret=newest)).status_code == 200


async def test_a_signed_assertion_is_accepted_once(make_gateway: GatewayFactory) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    async with make_gateway() as (_app, client):
        admin = await headers_of(client, "admin")
        body = {"name": "省政务云", "org_code": CITY, "actions": ["tasks.read"], "public_key_pem": pem}
        created = await client.post("/api/v1/machine-clients", json=body, headers=admin)
        assert created.status_code == 201, created.text
        client_id = created.json()["id"]
        assert created.json()["has_public_key"] is True

        def assertion(**overrides: object) -> str:
            now = int(time.time())
            claims = {
                "iss": client_id,
                "sub": client_id,
                "aud": "luoshi",
                "exp": now + 120,
                "jti": str(uuid.uuid4()),
            }
            return jwt.encode({**claims, **overrides}, key, algorithm="ES256")

        signed = assertion()
        first = await _token(
            client, client_id=client_id, client_assertion_type=ASSERTION_TYPE, client_assertion=signed
        )
        assert first.status_code == 200, first.text
        replay = await _token(
            client, client_id=client_id, client_assertion_type=ASSERTION_TYPE, client_assertion=signed
        )
        assert replay.status_code == 401
        for bad in (
            assertion(aud="elsewhere"),
            assertion(exp=int(time.time()) + 3600),
            assertion(iss="mc-other"),
        ):
            refused = await _token(
                client, client_id=client_id, client_assertion_type=ASSERTION_TYPE, client_assertion=bad
            )
            assert refused.status_code == 401, bad
        other_key = ec.generate_private_key(ec.SECP256R1())
        forged = jwt.encode(
            jwt.decode(assertion(), options={"verify_signature": False}), other_key, algorithm="ES256"
        )
        refused = await _token(
            client, client_id=client_id, client_assertion_type=ASSERTION_TYPE, client_assertion=forged
        )
        assert refused.status_code == 401
        wrong_type = await _token(
            client, client_id=client_id, client_assertion_type="x", client_assertion=assertion()
        )
        assert wrong_type.status_code == 400


async def test_only_administrators_of_the_scope_manage_clients(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as (app, client):
        city_admin = await headers_of(client, "city_admin")
        body = {"name": "县应急平台", "org_code": COUNTY, "actions": ["tasks.create"]}
        created = await client.post("/api/v1/machine-clients", json=body, headers=city_admin)
        assert created.status_code == 201
        client_id = created.json()["id"]
        sibling = await headers_of(client, "sibling_admin")
        deputy = await headers_of(client, "city_deputy")
        county = await headers_of(client, "county_admin")
        outside = await client.post(
            "/api/v1/machine-clients", json={**body, "org_code": SIBLING}, headers=city_admin
        )
        assert outside.status_code == 404
        assert (await client.post("/api/v1/machine-clients", json=body, headers=deputy)).status_code == 403
        assert (await client.get(f"/api/v1/machine-clients/{client_id}", headers=sibling)).status_code == 404
        assert (await client.get(f"/api/v1/machine-clients/{client_id}", headers=county)).status_code == 200
        assert (
            await client.patch(f"/api/v1/machine-clients/{client_id}", json={"name": "x"}, headers=deputy)
        ).status_code == 403
        listed = (await client.get("/api/v1/machine-clients", headers=sibling)).json()
        assert listed["total"] == 0
        before = await count(app, MachineClient)
        for bad in (
            {**body, "actions": ["everything"]},
            {**body, "actions": []},
            {**body, "org_code": "52"},
            {**body, "public_key_pem": "not a key"},
            {**body, "extra": 1},
        ):
            response = await client.post("/api/v1/machine-clients", json=bad, headers=city_admin)
            assert response.status_code == 422, (bad, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
        assert await count(app, MachineClient) == before
        async with app.state.sessionmaker() as session:
            stored = await session.scalar(select(MachineClient).where(MachineClient.id == client_id))
        assert stored is not None and stored.secret_hash and stored.secret_hash.startswith("$argon2")
