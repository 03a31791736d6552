"""The authorisation matrix (issue 3): the shape of a row — a route, how to call it, and who may.


Expectations come from docs/permissions.md and luoshi_tasking/tasks/permissions.py, not from what
the code answers. Routes that the permission table does not mention are marked ``basis="inferred"``:
their expectation applies the table's scope rule (own subtree only, 404 outside it) and the nearest
documented action; a mismatch there is a question for the table as much as for the code.

Relations are to the target unit 贵阳市: ``own`` is 贵阳市 itself, ``child`` 南明区 (below it),
``sibling`` 六盘水市, ``parent`` 贵州省. The target's task is assigned by the province, so the parent
is its issuer (交办方) and the target its lead unit (牵头方).

The rows are per service (matrix_gateway.py, matrix_task_flow.py, matrix_tasking_documents.py,
matrix_clients.py, matrix_bulletins.py, matrix_supervision*.py, matrix_scoring.py, matrix_notification.py);
test_authorisation_matrix.py runs them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tests.e2e.matrix_world import Call, Caller, Make, Rule, Witness, World


@dataclass
class Route:
    method: str
    path: str
    expect: Rule
    call: Call
    shared: Make = lambda w: ""  # the resource for denied (and non-consuming) calls
    fresh: Make | None = None  # the allowed call consumes its resource: a new one per allowed caller
    witness: Witness | None = None  # for writes: what a denied call must leave as it was
    sees_target: Callable[[World, Any], bool] | None = None  # for lists: is the target's item shown?
    guess: str | None = None  # an id that names nothing: every caller must get 404
    guess_in_body: bool = False  # then only callers allowed on the route are asked
    anonymous: bool = True  # also call it signed out: 401 (sign-in routes bring their own credentials)
    basis: str = "doc"  # "doc": docs/permissions.md or tasks/permissions.py; "inferred": see module doc
    note: str = ""  # why the expectation is what it is, where the table does not say

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)


def call_json(method: str, path: str, body: dict[str, Any] | None = None, **params: Any) -> Call:
    """A call with the resource id in the path's ``{rid}``."""

    def call(w: World, c: Caller, rid: str) -> httpx.Response:
        return c.client.request(method, path.format(rid=rid), json=body, params=params or None)

    return call


def listed(key: str, items: str | None = "items") -> Callable[[World, Any], bool]:
    def shown(w: World, body: Any) -> bool:
        # Lists are pages now ({items, total, …}); a route that still answers a bare list works too.
        rows = body[items] if items else body.get("items", []) if isinstance(body, dict) else body
        return any(w.ids[key] in (row.get("id"), row.get("code")) for row in rows)

    return shown


def total(path: str, **params: Any) -> Witness:
    """A create's witness: how many items the list at ``path`` holds, as an administrator sees it."""

    def witness(w: World, rid: str) -> Any:
        body = w.admin.get(path, params={"limit": 1, **params}).json()
        return body["total"] if isinstance(body, dict) else len(body)

    return witness


def setting(path: str) -> Witness:
    return lambda w, rid: w.admin.get(path).json()


def put_current(path: str, fields: tuple[str, ...]) -> Call:
    """Writes the setting's current values back: allowed callers change nothing but who saved it last."""

    def call(w: World, c: Caller, rid: str) -> httpx.Response:
        current = w.admin.get(path).json()
        return c.client.put(path, json={k: current[k] for k in fields})

    return call
