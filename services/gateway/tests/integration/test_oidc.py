"""Tokens of an external OpenID Connect provider, checked against a JWKS served on loopback."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from luoshi_gateway.people.models import Person

from .conftest import COUNTY, GatewayFactory, assert_problem

ISSUER = "https://idp.gov.example/realms/guizhou"
AUDIENCE = "luoshi"

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
STRANGER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwks() -> bytes:
    rsa_jwk = RSAAlgorithm.to_jwk(RSA_KEY.public_key(), as_dict=True) | {
        "kid": "rsa-1",
        "use": "sig",
        "alg": "RS256",
    }
    ec_jwk = ECAlgorithm.to_jwk(EC_KEY.public_key(), as_dict=True) | {
        "kid": "ec-1",
        "use": "sig",
        "alg": "ES256",
    }
    return json.dumps({"keys": [rsa_jwk, ec_jwk]}).encode()


class _Jwks(BaseHTTPRequestHandler):
    body = _jwks()

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def jwks_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/certs"
    finally:
        server.shutdown()
        server.server_close()


def external_token(key: Any = RSA_KEY, kid: str = "rsa-1", alg: str = "RS256", **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "idp-0001", "iat": now, "exp": now + 300} | claims
    return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _link_subject(app: Any) -> None:
    async with app.state.sessionmaker() as session, session.begin():
        person = await session.get(Person, "u-county_handler")
        person.oidc_subject = "idp-0001"


async def test_external_tokens_accepted_and_rejected(make_gateway: GatewayFactory, jwks_url: str) -> None:
    settings = {"oidc_issuer": ISSUER, "oidc_jwks_url": jwks_url, "oidc_audience": AUDIENCE}
    async with make_gateway(**settings) as (app, client):
        await _link_subject(app)
        me = await client.get("/api/v1/auth/me", headers=bearer(external_token()))
        assert me.status_code == 200, me.text
        assert me.json()["person_id"] == "u-county_handler" and me.json()["org_code"] == COUNTY
        # ES256 works too; and a subject the gateway does not know maps by the username claim.
        by_name = external_token(EC_KEY, "ec-1", "ES256", sub="idp-other", preferred_username="city_deputy")
        me = await client.get("/api/v1/auth/me", headers=bearer(by_name))
        assert me.status_code == 200, me.text
        assert me.json()["person_id"] == "u-city_deputy"

        refused = {
            "wrong issuer": external_token(iss="https://evil.example"),
            "wrong audience": external_token(aud="someone-else"),
            "expired": external_token(exp=int(time.time()) - 60),
            "unknown key": external_token(STRANGER_KEY, kid="rsa-9"),
            "known kid, wrong key": external_token(STRANGER_KEY, kid="rsa-1"),
            "unknown subject": external_token(sub="idp-9999"),
            "unknown subject and username": external_token(sub="idp-9999", preferred_username="nobody"),
        }
        for what, token in refused.items():
            response = await client.get("/api/v1/auth/me", headers=bearer(token))
            assert response.status_code == 401, (what, response.text)


async def test_external_tokens_refused_when_oidc_is_not_configured(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/auth/me", headers=bearer(external_token())), 401)
