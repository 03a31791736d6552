"""Sign-in, token expiry and tampering, sign-out, refresh rotation, lock-out, deactivation."""

from __future__ import annotations

import asyncio
import base64
import json
import time

import httpx
import jwt
from fastapi import FastAPI

from luoshi_gateway.audit.models import AuditRecord
from luoshi_gateway.auth.models import RefreshToken, RevokedAccessToken
from luoshi_gateway.auth.tokens import issue_access_token
from luoshi_kit.identity import Identity

from .conftest import (
    CITY,
    COUNTY,
    JWT_SECRET,
    PASSWORD,
    GatewayFactory,
    assert_problem,
    count,
    headers_of,
    sign_in,
    token_of,
)

HANDLER = Identity(
    person_id="u-county_handler",
    username="county_handler",
    display_name="h",
    org_code=COUNTY,
    roles=["handler"],
)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_sign_in_issues_tokens_and_me_answers(client: httpx.AsyncClient, app: FastAPI) -> None:
    response = await sign_in(client, "county_handler")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["refresh_token"] and body["expires_in"] > 0
    me = await client.get("/api/v1/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200 and me.json()["org_code"] == COUNTY
    assert await count(app, RefreshToken) == 1
    # Only a hash is stored.
    assert await count(app, RefreshToken, RefreshToken.token_hash == body["refresh_token"]) == 0


async def test_wrong_password_and_unknown_user_get_the_same_answer(client: httpx.AsyncClient) -> None:
    wrong = assert_problem(await sign_in(client, "county_handler", "nope-nope"), 401)
    unknown = assert_problem(await sign_in(client, "nobody_here", "nope-nope"), 401)
    assert wrong["type"] == unknown["type"] and wrong["title"] == unknown["title"]


async def test_expired_token_is_refused(client: httpx.AsyncClient) -> None:
    token = issue_access_token(HANDLER, JWT_SECRET, minutes=-1)
    body = assert_problem(await client.get("/api/v1/auth/me", headers=bearer(token)), 401)
    assert "过期" in body["detail"]


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_tampered_tokens_are_refused(client: httpx.AsyncClient) -> None:
    good = await token_of(client, "county_handler")
    header, _, signature = good.split(".")
    claims = jwt.decode(good, options={"verify_signature": False})
    claims["org_code"], claims["sub"] = "520000000000", "u-admin"
    forged_payload = f"{header}.{_b64(claims)}.{signature}"
    wrong_key = jwt.encode(claims, "not-the-gateway-secret-0123456789abcdef", algorithm="HS256")
    alg_none = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    for token in (forged_payload, wrong_key, alg_none, "garbage", good[:-4]):
        assert_problem(await client.get("/api/v1/auth/me", headers=bearer(token)), 401)
    assert (await client.get("/api/v1/auth/me", headers=bearer(good))).status_code == 200


async def test_missing_token_is_refused(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/auth/me"), 401)


async def test_logout_revokes_the_access_token_and_its_refresh_family(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    tokens = (await sign_in(client, "city_deputy")).json()
    access, refresh = tokens["access_token"], tokens["refresh_token"]
    assert (await client.post("/api/v1/auth/logout", headers=bearer(access))).status_code == 204
    assert_problem(await client.get("/api/v1/auth/me", headers=bearer(access)), 401)
    assert_problem(await client.post("/api/v1/auth/refresh", json={"refresh_token": refresh}), 401)
    assert await count(app, RevokedAccessToken) == 1
    # Another sign-in of the same person is not affected.
    other = await token_of(client, "city_deputy")
    assert (await client.get("/api/v1/auth/me", headers=bearer(other))).status_code == 200


async def test_refresh_rotates_and_a_reused_token_revokes_the_family(client: httpx.AsyncClient) -> None:
    first = (await sign_in(client, "county_handler")).json()
    second = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert (await client.get("/api/v1/auth/me", headers=bearer(rotated["access_token"]))).status_code == 200
    # The used token again: refused, and the token it was rotated into dies with its family.
    assert_problem(
        await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}), 401
    )
    assert_problem(
        await client.post("/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}), 401
    )
    assert_problem(await client.post("/api/v1/auth/refresh", json={"refresh_token": "made-up"}), 401)
    assert_problem(await client.post("/api/v1/auth/refresh", json={}), 422)


async def test_lock_out_after_repeated_failures_and_release_after_the_window(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway(lockout_max_failures=3, lockout_window_seconds=60, lockout_seconds=2) as (
        app,
        client,
    ):
        for _ in range(2):
            assert_problem(await sign_in(client, "county_handler", "wrong-guess"), 401)
        locked = assert_problem(await sign_in(client, "county_handler", "wrong-guess"), 429)
        assert locked["retry_after"] >= 1
        # Even the right password is refused while locked, with Retry-After.
        response = await sign_in(client, "county_handler", PASSWORD)
        assert_problem(response, 429)
        assert 1 <= int(response.headers["Retry-After"]) <= 2
        # Unknown usernames lock alike, so the answer tells nothing about existence.
        for _ in range(2):
            assert_problem(await sign_in(client, "ghost_user", "x"), 401)
        assert_problem(await sign_in(client, "ghost_user", "x"), 429)
        # Other usernames are not affected.
        assert (await sign_in(client, "city_deputy")).status_code == 200
        await asyncio.sleep(2.1)
        assert (await sign_in(client, "county_handler", PASSWORD)).status_code == 200
        failures = await count(
            app, AuditRecord, AuditRecord.action == "auth.sign_in", AuditRecord.outcome == "failure"
        )
        assert failures == 7


async def test_failures_outside_the_window_do_not_add_up(make_gateway: GatewayFactory) -> None:
    async with make_gateway(lockout_max_failures=2, lockout_window_seconds=1, lockout_seconds=60) as (
        _,
        client,
    ):
        assert_problem(await sign_in(client, "county_handler", "wrong-guess"), 401)
        await asyncio.sleep(1.1)
        assert_problem(await sign_in(client, "county_handler", "wrong-guess"), 401)
        assert (await sign_in(client, "county_handler")).status_code == 200


async def test_deactivated_person_is_refused(client: httpx.AsyncClient) -> None:
    handler_token = await token_of(client, "county_handler")
    tokens = (await sign_in(client, "county_handler")).json()
    admin = await headers_of(client, "city_admin")
    response = await client.patch("/api/v1/people/u-county_handler", json={"active": False}, headers=admin)
    assert response.status_code == 200, response.text
    assert_problem(await client.get("/api/v1/auth/me", headers=bearer(handler_token)), 401)
    assert_problem(await sign_in(client, "county_handler"), 401)
    assert_problem(
        await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}), 401
    )


async def test_assessor_acts_only_inside_the_window(client: httpx.AsyncClient) -> None:
    admin = await headers_of(client, "city_admin")
    now = time.time()

    def iso(offset: float) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now + offset))

    for username, window in (("assessor_now", (-60, 3600)), ("assessor_late", (-7200, -3600))):
        response = await client.post(
            "/api/v1/people",
            headers=admin,
            json={
                "display_name": "第三方评估员",
                "org_code": CITY,
                "roles": ["assessor"],
                "username": username,
                "password": PASSWORD,
                "assessor_assignment": "A-2027-01",
                "assessor_valid_from": iso(window[0]),
                "assessor_valid_to": iso(window[1]),
            },
        )
        assert response.status_code == 201, response.text
    assert (await sign_in(client, "assessor_now")).status_code == 200
    assert_problem(await sign_in(client, "assessor_late"), 401)


async def test_bad_input_on_auth_writes(client: httpx.AsyncClient, app: FastAPI) -> None:
    assert_problem(await client.post("/api/v1/auth/token", data={"username": "county_handler"}), 422)
    assert_problem(await client.post("/api/v1/auth/token", json={"username": "x", "password": "y"}), 422)
    assert_problem(await client.post("/api/v1/auth/refresh", json={"refresh_token": "x" * 500}), 422)
    assert_problem(await client.post("/api/v1/auth/refresh", content=b"{oops"), 422)
    headers = bearer(await token_of(client, "county_handler"))
    assert_problem(await client.post("/api/v1/auth/logout", headers=headers, json={"unexpected": 1}), 422)
    assert await count(app, RevokedAccessToken) == 0
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
