"""The authorisation matrix rows of the notification service's routes (see matrix.py for the Route shape).

Every route here acts on the caller's own inbox or settings (the identity names the person), so every
signed-in role is allowed and nothing of anyone else is reachable; the rows of GET /notifications and
POST /notifications/{id}/read stay in matrix.py.
"""

from __future__ import annotations

import httpx

from tests.e2e.matrix import Route, _json
from tests.e2e.matrix_world import Caller, World, everyone

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


NOTIFICATION_ROUTES: list[Route] = [
    Route(
        "GET",
        "/api/v1/notifications/unread-count",
        everyone,
        _json("GET", "/api/v1/notifications/unread-count"),
        basis="inferred",
        note="one's own inbox",
    ),
    Route("GET", "/api/v1/notifications/stream", everyone, _stream, basis="inferred", note="one's own inbox"),
    Route(
        "POST",
        "/api/v1/notifications/read-all",
        everyone,
        _json("POST", "/api/v1/notifications/read-all", kind="nothing.matches"),
        basis="inferred",
        note="one's own inbox (a kind nothing has: the matrix's own messages stay unread)",
    ),
    Route(
        "GET", PREFERENCES, everyone, _json("GET", PREFERENCES), basis="inferred", note="one's own settings"
    ),
    Route("PUT", PREFERENCES, everyone, _put_preferences, basis="inferred", note="one's own settings"),
]
