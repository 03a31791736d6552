"""Records every 403 the gateway answers, also those raised outside the gateway's own domains.

``create_app`` installs it with ``install_denial_audit(app)``; routes that already recorded their
denial (``audit.service.deny``) mark the problem so it is not recorded twice.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from luoshi_gateway.audit.service import record_alone
from luoshi_gateway.auth.deps import authenticate
from luoshi_kit.errors import Problem, problem_response
from luoshi_kit.identity import Identity


async def _actor(request: Request) -> Identity | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        return (await authenticate(request, token)).identity
    except Problem:
        return None


def install_denial_audit(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        if exc.status == 403 and not getattr(exc, "audited", False):
            await record_alone(
                request=request,
                action="route.denied",
                outcome="denied",
                actor=await _actor(request),
                target_type="route",
                target_id=request.url.path[:200],
                details={"type": exc.slug, "detail": exc.detail},
            )
        return problem_response(
            exc.status, exc.slug, exc.title, exc.detail, instance=request.url.path, **exc.extra
        )
