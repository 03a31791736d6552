"""An everyday route answers only what it recognises; what it declines — before or after reading the body —
the declared route answers, with the very body the client sent."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from pydantic import BaseModel
from starlette.types import Scope

from luoshi_kit.fast_routes import EVERYDAY, Declined, EverydayRoute, header, install

JSON = {"content-type": "application/json"}


class Thing(BaseModel):
    name: str


def _app() -> tuple[FastAPI, list[str]]:
    app = FastAPI()
    answered: list[str] = []

    @app.post("/things", status_code=201)
    async def declared(thing: Thing) -> dict[str, str]:
        answered.append("declared")
        return {"name": thing.name, "by": "declared"}

    async def everyday(request: Request) -> Response:
        raw = await request.body()
        if b"decline" in raw:
            return Declined(raw)
        answered.append("everyday")
        return Response(b'{"by":"everyday","tag":"%s"}' % request.scope[EVERYDAY]["tag"], status_code=201)

    class Everyday(EverydayRoute):
        def everyday(self, scope: Scope) -> dict[str, Any] | None:
            tag = header(scope, b"x-tag")
            return {"tag": tag} if tag else None

    install(app, Everyday("POST", "/things", everyday))
    return app, answered


async def test_an_everyday_request_is_answered_ahead_and_the_rest_by_the_declared_route() -> None:
    app, answered = _app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        fast = await client.post("/things", json={"name": "a"}, headers={"x-tag": "t1"})
        untagged = await client.post("/things", json={"name": "b"})
        repeated = await client.post("/things", json={"name": "c"}, headers=[("x-tag", "1"), ("x-tag", "2")])
        declined = await client.post("/things", json={"name": "decline me"}, headers={"x-tag": "t2"})
        invalid = await client.post("/things", content=b'{"decline": 1}', headers={"x-tag": "t3", **JSON})
        elsewhere = await client.get("/things", headers={"x-tag": "t4"})
    assert fast.json() == {"by": "everyday", "tag": "t1"}
    assert untagged.json() == {"name": "b", "by": "declared"}
    assert repeated.json() == {"name": "c", "by": "declared"}
    assert declined.json() == {"name": "decline me", "by": "declared"}  # the body replayed whole
    assert invalid.status_code == 422 and invalid.json()["detail"][0]["type"] == "missing"
    assert elsewhere.status_code == 405  # another method: routing as if the everyday route were not there
    assert answered == ["everyday", "declared", "declared", "declared"]
