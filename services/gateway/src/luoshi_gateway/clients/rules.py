"""Machine clients (接入系统): which actions another platform may be granted, and what each lets it call.

An action names a piece of work another government system does through Luoshi — the 公文 system
registering an important document, the 应急 system creating an urgent task — and lists the routes it opens.
A client acts within its organisation's subtree, as the role its actions need (the services then apply their
own rules to that role, exactly as for a person); every other route answers 403.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    title: str
    role: str  # the role the client acts as for these routes
    routes: tuple[tuple[str, str], ...]  # (method, path regex)


ACTIONS: dict[str, Action] = {
    "documents.register": Action(
        "登记重要文件 Register important documents (公文办理系统)",
        "office",
        (("POST", r"/api/v1/documents"),),
    ),
    "documents.read": Action(
        "查看重要文件及办理情况 Read documents and their progress",
        "office",
        (("GET", r"/api/v1/documents(/[^/]+(/[a-z-]+)?)?"),),
    ),
    "tasks.create": Action(
        "交办任务 Create tasks (e.g. urgent tasks of 应急管理)", "office", (("POST", r"/api/v1/tasks"),)
    ),
    "tasks.read": Action(
        "查看任务及进展 Read tasks, their trace and the ledger",
        "office",
        (("GET", r"/api/v1/tasks(/[^/]+(/[a-z-]+)?)?"), ("GET", r"/api/v1/ledger(/[^/]+)?")),
    ),
    "reports.submit": Action(
        "报送进展 Report progress on tasks", "handler", (("POST", r"/api/v1/tasks/[^/]+/reports"),)
    ),
}
MACHINE_ROLE = "machine"
_COMPILED = {
    name: tuple((method, re.compile(pattern)) for method, pattern in action.routes)
    for name, action in ACTIONS.items()
}


def roles_for(actions: list[str]) -> list[str]:
    """The roles a client with these actions acts as (always including ``machine``)."""
    return sorted({ACTIONS[a].role for a in actions if a in ACTIONS} | {MACHINE_ROLE})


def permits(actions: list[str], method: str, path: str) -> bool:
    """Does one of the granted actions open this route? HEAD counts as GET."""
    method = "GET" if method == "HEAD" else method
    return any(
        m == method and pattern.fullmatch(path) for name in actions for m, pattern in _COMPILED.get(name, ())
    )


def unknown_actions(actions: list[str]) -> list[str]:
    return [a for a in actions if a not in ACTIONS]


def new_client_id() -> str:
    return f"mc-{secrets.token_hex(8)}"


def new_secret() -> str:
    return f"mcs_{secrets.token_urlsafe(32)}"
