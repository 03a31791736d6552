"""The proxy's fast path reads the bearer token from the ASGI scope: it answers what ``oauth2`` answers."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from luoshi_gateway.auth.deps import bearer_of, oauth2


@pytest.mark.parametrize(
    "headers",
    [
        [],
        [(b"authorization", b"Bearer abc.def")],
        [(b"authorization", b"bearer  abc ")],
        [(b"authorization", b"Basic dXNlcjpwdw==")],
        [(b"authorization", b"Bearer")],
        [(b"authorization", b"")],
        [(b"authorization", b"Bearer first"), (b"authorization", b"Bearer second")],
        [(b"accept", b"*/*"), (b"authorization", b"Bearer x")],
    ],
)
async def test_bearer_of_the_scope_is_what_oauth2_reads(headers: list[tuple[bytes, bytes]]) -> None:
    scope = {"type": "http", "method": "GET", "path": "/api/v1/tasks", "headers": headers}
    assert bearer_of(scope) == await oauth2(Request(scope))
