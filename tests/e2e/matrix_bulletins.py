"""Authorisation matrix rows of 情况通报 (bulletins; Route: see matrix_route.py)."""

from __future__ import annotations

from tests.e2e.matrix_route import Route, call_json
from tests.e2e.matrix_world import TARGET, UNKNOWN_ORG, everyone, in_scope

BULLETIN_ROUTES: list[Route] = [
    Route(
        "GET",
        "/api/v1/bulletins/{org_code}",
        in_scope,
        call_json("GET", "/api/v1/bulletins/{rid}", period="2026-Q4"),
        shared=lambda w: TARGET,
        guess=UNKNOWN_ORG,
        basis="inferred",
        note="reads the dashboard's figures: its scope rule",
    ),
    Route(
        "GET",
        "/api/v1/public/bulletins/{org_code}",
        everyone,
        call_json("GET", "/api/v1/public/bulletins/{rid}", period="2026-Q4"),
        shared=lambda w: TARGET,
        anonymous=False,
        note="the public version: totals and the published ranking, no sign-in",
    ),
]
