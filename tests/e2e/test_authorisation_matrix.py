"""The authorisation matrix (issue 3) against the real services over RabbitMQ and PostgreSQL.

Every route of the merged OpenAPI document, called by a person of each role at 贵阳市 (own), 南明区
(child), 六盘水市 (sibling) and 贵州省 (parent), on 贵阳市's resources; the rows are in matrix_*.py.
One test collects every mismatch and reports them together.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.cluster import Cluster, wait_for_seed_delivered, wait_until
from tests.e2e.matrix_bulletins import BULLETIN_ROUTES
from tests.e2e.matrix_clients import CLIENT_ROUTES
from tests.e2e.matrix_gateway import GATEWAY_ROUTES
from tests.e2e.matrix_notification import NOTIFICATION_ROUTES
from tests.e2e.matrix_route import Route
from tests.e2e.matrix_scoring import SCORING_ROUTES
from tests.e2e.matrix_supervision import SUPERVISION_ROUTES
from tests.e2e.matrix_supervision_urges import SUPERVISION_URGE_ROUTES
from tests.e2e.matrix_task_flow import TASK_FLOW_ROUTES
from tests.e2e.matrix_tasking_documents import TASKING_DOCUMENT_ROUTES, letter_body, meeting_body
from tests.e2e.matrix_world import (
    DENY,
    MATRIX_CATEGORY,
    PASSWORD,
    RELATIONS,
    ROLES,
    SEES_TARGET,
    TARGET,
    Caller,
    World,
)

# Every route × 8 roles × 4 relations (several thousand calls) takes minutes on a busy 2-core machine.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

ROUTES = (
    GATEWAY_ROUTES
    + TASK_FLOW_ROUTES
    + TASKING_DOCUMENT_ROUTES
    + CLIENT_ROUTES
    + BULLETIN_ROUTES
    + SUPERVISION_ROUTES
    + SUPERVISION_URGE_ROUTES
    + SCORING_ROUTES
    + NOTIFICATION_ROUTES
)

METHODS = ("get", "post", "put", "patch", "delete")

ROLE_DETAILS: dict[str, dict[str, Any]] = {
    "deputy": {"overseen_areas": ["数字政府"]},
    "inspector": {"inspector_type": "full_time"},
    "representative": {"representative_type": "npc"},
}


def _assessor_window() -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "assessor_assignment": "2026年度重点任务第三方评估",
        "assessor_valid_from": (now - timedelta(hours=1)).isoformat(),
        "assessor_valid_to": (now + timedelta(days=1)).isoformat(),
    }


def _create_person(admin: httpx.Client, org: str, role: str, username: str, password: str) -> str:
    body = {
        "display_name": f"授权矩阵 {username}",
        "org_code": org,
        "roles": [role],
        "username": username,
        "password": password,
        **ROLE_DETAILS.get(role, {}),
        **(_assessor_window() if role == "assessor" else {}),
    }
    response = admin.post("/api/v1/people", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture(scope="module")
def world(distributed: Cluster) -> Iterator[World]:
    admin = distributed.client("admin")
    office = distributed.client("province_office")
    w = World(distributed.url, admin, office)

    people = {
        (role, relation): _create_person(admin, org, role, f"matrix_{relation}_{role}", PASSWORD)
        for relation, org in RELATIONS.items()
        for role in ROLES
    }
    w.ids["target_username"], w.ids["target_password"] = "matrix_target_person", "target-password-1"
    w.ids["target_person"] = _create_person(
        admin, TARGET, "handler", w.ids["target_username"], w.ids["target_password"]
    )
    # The notification service learns people from the gateway's events: let them arrive first.
    wait_for_seed_delivered(distributed)
    for (role, relation), person_id in people.items():
        username = f"matrix_{relation}_{role}"
        tokens = w.sign_in(username)
        assert tokens.status_code == 200, f"{username}: {tokens.text}"
        client = httpx.Client(base_url=distributed.url, timeout=10)
        client.headers["Authorization"] = f"Bearer {tokens.json()['access_token']}"
        w.callers[(role, relation)] = Caller(
            role, relation, username, person_id, client, tokens.json()["refresh_token"]
        )

    w.ids["target_org"] = TARGET
    w.ids["task"] = w.new_task(category=MATRIX_CATEGORY)
    w.ids["document"] = w.document()
    for key, path, body in (
        ("letter", "/api/v1/responsibility-letters", letter_body()),
        ("meeting", "/api/v1/dispatch-meetings", meeting_body()),
    ):
        response = office.post(path, json=body)
        assert response.status_code == 201, response.text
        w.ids[key] = response.json()["id"]

    handler = w.caller("handler", "own").client

    def notified() -> str | None:
        items = handler.get("/api/v1/notifications").json()["items"]
        return next((n["id"] for n in items if n["subject"] == w.ids["task"]), None)

    w.ids["notification"] = wait_until(notified, 30, "贵阳市's handler to be told of the target task")
    try:
        yield w
    finally:
        for caller in w.callers.values():
            caller.client.close()
        for client in (admin, office, w.anonymous):
            client.close()


def _slug(response: httpx.Response) -> str:
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        return str(response.json().get("type", "")).removeprefix("urn:luoshi:problem:")
    return ""


def _check(
    route: Route, world: World, cells: list[tuple[str, str]], rid_for: Callable[[], str], out: list[str]
) -> bool:
    """Calls ``route`` as each (role, relation) and records mismatches; True if any call got a 2xx."""
    any_2xx = False
    for role, relation in cells:
        expected = route.expect(role, relation)
        response = route.call(world, world.caller(role, relation), rid_for())
        any_2xx = any_2xx or response.is_success
        where = f"{route.method} {route.path} [{route.basis}] {role}@{relation}"
        if not expected.matches(response.status_code):
            got = f"{response.status_code} {_slug(response)}".rstrip()
            because = f" ({route.note})" if route.note else ""
            out.append(f"{where}: expected {expected.why}{because}, got {got}")
        elif route.sees_target and response.is_success:
            shown = route.sees_target(world, response.json())
            if shown != (relation in SEES_TARGET):
                out.append(f"{where}: the target's item is {'shown' if shown else 'missing'} in the list")
    return any_2xx


def _expect_status(route: Route, world: World, caller: Caller, rid: str, status: int, who: str) -> str | None:
    response = route.call(world, caller, rid)
    if response.status_code == status:
        return None
    got = f"{response.status_code} {_slug(response)}".rstrip()
    return f"{route.method} {route.path} [{route.basis}] {who}: expected {status}, got {got}"


def _run(route: Route, world: World) -> list[str]:
    mismatches: list[str] = []
    cells = [(role, relation) for relation in RELATIONS for role in ROLES]
    denied = [c for c in cells if not route.expect(*c).allows]
    allowed = [c for c in cells if route.expect(*c).allows]

    # Every refused call first, all on the shared resource; then read it back; then the allowed calls.
    shared = route.shared(world)
    before = route.witness(world, shared) if route.witness else None
    denied_got_through = _check(route, world, denied, lambda: shared, mismatches)
    extra: list[str | None] = []
    if route.anonymous:
        anonymous = Caller("anonymous", "none", "", "", world.anonymous, "")
        extra.append(_expect_status(route, world, anonymous, shared, 401, "without sign-in"))
    if route.guess:
        # A guessed id is 404 for whoever asks, also for someone in scope whose role is refused.
        in_scope_refused = [c for c in denied if route.expect(*c) == DENY and not route.guess_in_body]
        for role, relation in allowed[:1] + in_scope_refused[:1]:
            who = f"{role}@{relation}, guessed id {route.guess}"
            extra.append(_expect_status(route, world, world.caller(role, relation), route.guess, 404, who))
    mismatches += [m for m in extra if m]
    if route.witness and not denied_got_through:
        after = route.witness(world, shared)
        if after != before:
            mismatches.append(
                f"{route.method} {route.path}: a refused call wrote something\n"
                f"  before: {before}\n  after:  {after}"
            )
    fresh = route.fresh
    _check(route, world, allowed, (lambda: fresh(world)) if fresh else (lambda: shared), mismatches)
    return mismatches


def test_every_route_is_in_the_matrix(world: World) -> None:
    document = world.admin.get("/api/v1/openapi.json").json()
    published = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        if path.startswith("/api/v1/")
        for method in operations
        if method in METHODS
    }
    table = [route.key for route in ROUTES]
    assert len(table) == len(set(table)), "a route is in the matrix twice"
    missing = sorted(published - set(table))
    stale = sorted(set(table) - published)
    assert not missing and not stale, f"routes missing from the matrix: {missing}; no longer routes: {stale}"


def test_authorisation_matrix(world: World) -> None:
    started = time.monotonic()
    mismatches: list[str] = []
    for route in ROUTES:
        try:
            mismatches += _run(route, world)
        except (AssertionError, httpx.HTTPError, KeyError, ValueError) as exc:
            mismatches.append(f"{route.method} {route.path}: could not run ({exc!r})")
    cells = len(ROUTES) * len(ROLES) * len(RELATIONS)
    summary = f"{len(mismatches)} mismatches in {cells} cells ({time.monotonic() - started:.0f}s)"
    assert not mismatches, summary + ":\n" + "\n".join(mismatches)
