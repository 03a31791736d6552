"""Permission dependencies: a route states who may call it in its signature, not in its body.

    from luoshi_kit.permissions import Authenticated, ProvinceAdmin, require_roles

    Assigner = Annotated[Identity, Depends(require_roles("principal", "deputy", "office", "admin"))]

    @router.put("/rules")
    async def put_rules(body: RulesIn, session: SessionDep, identity: ProvinceAdmin) -> RulesOut: ...

    @router.post("/import")
    async def import_tasks(..., identity: Assigner) -> ImportResult: ...

    @router.get("/rules", dependencies=[Authenticated])   # signed in; the route needs no identity
    async def get_rules(session: SessionDep) -> RulesOut: ...

Role and level checks live here; checks that depend on the resource (its organisation, its state)
stay in the service layer, where the resource is loaded. Every dependency is ``async def``: a sync
dependency runs in the thread pool, a measurable cost on every request for no blocking work.
See docs/conventions.md (Permissions).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends

from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity, current_identity

IdentityDep = Annotated[Identity, Depends(current_identity)]

Authenticated: Any = Depends(current_identity)
"""For ``dependencies=[Authenticated]``: the caller must be signed in (401 otherwise)."""


def forbidden(detail: str) -> Problem:
    return Problem(403, "forbidden", "无权操作 Forbidden", detail)


async def require_province_admin(identity: IdentityDep) -> Identity:
    """Province-wide settings: only an administrator of the provincial government changes them."""
    if not identity.is_province_admin():
        raise forbidden("只有省级系统管理员可以修改全省设置 Only a provincial administrator changes this")
    return identity


ProvinceAdmin = Annotated[Identity, Depends(require_province_admin)]


def require_roles(*roles: str, detail: str | None = None) -> Callable[..., Awaitable[Identity]]:
    """A dependency that lets through a caller holding any of ``roles`` (403 otherwise)."""
    if not roles:
        raise ValueError("require_roles needs at least one role")
    message = detail or f"需要以下角色之一 One of these roles is needed: {', '.join(roles)}"

    async def dependency(identity: IdentityDep) -> Identity:
        if not identity.has_any(*roles):
            raise forbidden(message)
        return identity

    dependency.__name__ = f"require_roles_{'_'.join(roles)}"
    return dependency
