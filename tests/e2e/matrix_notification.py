"""The authorisation matrix rows of the notification service's routes (Route: see matrix_route.py).

Every route here acts on the caller's own inbox or settings (the identity names the person), so every
signed-in role is allowed and nothing of anyone else is reachable; GET /notifications and POST
/notifications/{id}/read are here too.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.e2e.matrix_route import Route, call_json
from tests.e2e.matrix_world import (
    ALLOW,
    DENY,
    NOWHERE,
    OUTSIDE,
    SEES_TARGET,
    TARGET,
    Call,
    Caller,
    Expect,
    World,
    everyone,
    recipient_only,
    scoped,
)

NOT_DEAD = Expect(frozenset({409}), "allowed, but only a dead letter replays (409 not-dead)")

PREFERENCES = "/api/v1/notification-preferences/me"


def _stream(w: World, c: Caller, rid: str) -> httpx.Response:
    """Opens the live inbox, reads its first event (the unread count) and hangs up."""
    with c.client.stream("GET", "/api/v1/notifications/stream", headers={"accept": "text/event-stream"}) as r:
        if r.status_code == 200:
            next(r.iter_lines())
        return r


def _put_preferences(w: World, c: Caller, rid: str) -> httpx.Response:
    current = c.client.get(PREFERENCES)
    if current.status_code != 200:
        return current
    mine = current.json()
    keep = ("channels", "email", "mobile", "quiet_start", "quiet_end", "digest")
    return c.client.put(PREFERENCES, json={k: mine[k] for k in keep})


def _inbox(w: World, rid: str) -> Any:
    return w.caller("handler", "own").client.get("/api/v1/notifications").json()["unread"]


NOTIFICATION_ROUTES: list[Route] = [
    # --- the inbox ---
    Route(
        "GET", "/api/v1/notifications", everyone, call_json("GET", "/api/v1/notifications"), basis="inferred"
    ),
    Route(
        "POST",
        "/api/v1/notifications/{notification_id}/read",
        recipient_only,
        call_json("POST", "/api/v1/notifications/{rid}/read"),
        shared=lambda w: w.ids["notification"],
        guess=NOWHERE,
        witness=_inbox,
        basis="inferred",
    ),
    Route(
        "GET",
        "/api/v1/notifications/{notification_id}/sends",
        recipient_only,
        call_json("GET", "/api/v1/notifications/{rid}/sends"),
        shared=lambda w: w.ids["notification"],
        guess=NOWHERE,
        basis="inferred",
        note="a message's send records are its recipient's",
    ),
    Route(
        "GET",
        "/api/v1/notifications/unread-count",
        everyone,
        call_json("GET", "/api/v1/notifications/unread-count"),
        basis="inferred",
        note="one's own inbox",
    ),
    Route("GET", "/api/v1/notifications/stream", everyone, _stream, basis="inferred", note="one's own inbox"),
    Route(
        "POST",
        "/api/v1/notifications/read-all",
        everyone,
        call_json("POST", "/api/v1/notifications/read-all", kind="nothing.matches"),
        basis="inferred",
        note="one's own inbox (a kind nothing has: the matrix's own messages stay unread)",
    ),
    Route(
        "GET",
        PREFERENCES,
        everyone,
        call_json("GET", PREFERENCES),
        basis="inferred",
        note="one's own settings",
    ),
    Route("PUT", PREFERENCES, everyone, _put_preferences, basis="inferred", note="one's own settings"),
]


# --- webhook subscriptions (事件订阅): registering and listing are for administrators (403 first); on one
# subscription, its scope must lie in the caller's subtree (404), then the caller must be an admin (403). ---
HOOKS = "/api/v1/subscriptions"
UNUSED_ENDPOINT = "http://127.0.0.1:9/matrix-hook"  # allow-listed in the e2e clusters; nothing listens


admins_within = scoped(frozenset({"admin"}))


def admins_replay(role: str, relation: str) -> Expect:
    expect = admins_within(role, relation)
    return NOT_DEAD if expect is ALLOW else expect


def admins_create_for_target(role: str, relation: str) -> Expect:
    if role != "admin":
        return DENY
    return ALLOW if relation in SEES_TARGET else OUTSIDE


def admins_only(role: str, relation: str) -> Expect:
    return ALLOW if role == "admin" else DENY


def _subscription(w: World) -> str:
    """The target's subscription (scope 贵阳市) and one delivery of it: ``subscription_id|delivery_id``."""

    def make() -> str:
        body = {
            "name": "授权矩阵订阅",
            "url": UNUSED_ENDPOINT,
            "scope_org": TARGET,
            "event_types": ["tasking.task.assigned.v1"],
        }
        response = w.admin.post(HOOKS, json=body)
        assert response.status_code == 201, response.text
        sid: str = response.json()["id"]
        w.new_task()  # its assignment becomes a delivery (that fails: nothing listens)
        for _ in range(150):
            items = w.admin.get(f"{HOOKS}/{sid}/deliveries").json()["items"]
            if items:
                return f"{sid}|{items[0]['id']}"
            time.sleep(0.1)
        raise AssertionError("the subscription never got a delivery")

    return w.shared("subscription", make)


def _sid(w: World) -> str:
    return _subscription(w).split("|")[0]


def _on_subscription(method: str, tail: str = "", body: dict[str, Any] | None = None) -> Call:
    def call(w: World, c: Caller, rid: str) -> httpx.Response:
        sid, _, did = rid.partition("|")
        return c.client.request(method, f"{HOOKS}/{sid}{tail.format(did=did)}", json=body)

    return call


def _create_subscription(w: World, c: Caller, rid: str) -> httpx.Response:
    body = {
        "name": "授权矩阵订阅",
        "url": UNUSED_ENDPOINT,
        "scope_org": TARGET,
        "event_types": ["scoring.exemption.*"],
    }
    return c.client.post(HOOKS, json=body)


def _subscription_state(w: World, rid: str) -> Any:
    """What a caller could change (not what the delivery worker changes meanwhile: attempts, failures)."""
    sid = rid.partition("|")[0]
    sub = w.admin.get(f"{HOOKS}/{sid}").json()
    settings = {k: sub[k] for k in ("name", "url", "scope_org", "event_types", "previous_secret_until")}
    replayed = [
        d["id"] for d in w.admin.get(f"{HOOKS}/{sid}/deliveries", params={"status": "dead"}).json()["items"]
    ]
    return settings, replayed, w.admin.get(HOOKS).json()["total"]


def _lists_target(w: World, body: Any) -> bool:
    return any(row["id"] == _sid(w) for row in body["items"])


NOTIFICATION_ROUTES += [
    Route(
        "POST",
        HOOKS,
        admins_create_for_target,
        _create_subscription,
        shared=_subscription,
        witness=_subscription_state,
        basis="inferred",
        note="an administrator of a scope registers a webhook for its subtree",
    ),
    Route("GET", HOOKS, admins_only, call_json("GET", HOOKS), sees_target=_lists_target, basis="inferred"),
    Route(
        "GET",
        HOOKS + "/{subscription_id}",
        admins_within,
        _on_subscription("GET"),
        shared=_subscription,
        guess=NOWHERE,
        basis="inferred",
    ),
    Route(
        "PATCH",
        HOOKS + "/{subscription_id}",
        admins_within,
        _on_subscription("PATCH", body={"name": "授权矩阵订阅"}),
        shared=_subscription,
        guess=NOWHERE,
        witness=_subscription_state,
        basis="inferred",
    ),
    Route(
        "POST",
        HOOKS + "/{subscription_id}/secret",
        admins_within,
        _on_subscription("POST", "/secret", body={"overlap_hours": 1}),
        shared=_subscription,
        guess=NOWHERE,
        witness=_subscription_state,
        basis="inferred",
    ),
    Route(
        "GET",
        HOOKS + "/{subscription_id}/deliveries",
        admins_within,
        _on_subscription("GET", "/deliveries"),
        shared=_subscription,
        guess=NOWHERE,
        basis="inferred",
    ),
    Route(
        "GET",
        HOOKS + "/{subscription_id}/deliveries/{delivery_id}",
        admins_within,
        _on_subscription("GET", "/deliveries/{did}"),
        shared=_subscription,
        guess=NOWHERE,
        basis="inferred",
    ),
    Route(
        "POST",
        HOOKS + "/{subscription_id}/deliveries/{delivery_id}/replay",
        lambda role, relation: (
            admins_within(role, relation) if role != "admin" or relation not in SEES_TARGET else NOT_DEAD
        ),
        _on_subscription("POST", "/deliveries/{did}/replay"),
        shared=_subscription,
        guess=NOWHERE,
        witness=_subscription_state,
        basis="inferred",
        note="the matrix's delivery is not dead yet: an allowed admin gets 409 not-dead",
    ),
    Route(
        "POST",
        HOOKS + "/{subscription_id}/replay",
        admins_within,
        _on_subscription("POST", "/replay"),
        shared=_subscription,
        guess=NOWHERE,
        witness=_subscription_state,
        basis="inferred",
    ),
]
