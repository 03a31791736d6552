"""Idempotent creates (``Idempotency-Key``), as the IETF httpapi draft and Stripe describe them.

A client that may retry a create (after a timeout, a dropped connection) sends a unique key:

- the same key with the same body within ``TTL`` answers the first response again (status and body)
  with ``Idempotent-Replayed: true``, and nothing is written twice;
- the same key with another body (or on another route) answers 422 ``idempotency-key-reused``;
- the same key while the first request is still in flight answers 409 ``idempotency-in-flight``
  (retry later: then it replays);
- a request that failed (any problem answer) stored nothing, so it may be retried with the same key.

Keys are scoped per person (the signed identity's ``person_id``), so two people's keys never meet.
The record is written in the transaction of the create itself, in the service's own database:
it commits with the created rows or not at all, and holds across replicas. On PostgreSQL a
transaction-level advisory lock on (person, key) tells a concurrent duplicate apart (409 instead of
waiting); the primary key (scope, key) is the final word on any race.

Use: a service maps the table on its declarative base (``class IdempotencyRecord(IdempotencyMixin,
Base)`` in its ``db.py``, and the table in its migration), and a route runs its create through
``idempotent``::

    @router.post("", status_code=201, response_model=TaskOut)
    async def create(body: TaskCreate, request: Request, session: SessionDep, identity: IdentityDep,
                     key: IdempotencyKeyDep) -> Response:
        async def work() -> TaskOut:
            return TaskOut.model_validate(await service.create(session=session, ...))
        return await idempotent(request=request, session=session, identity=identity, key=key,
                                payload=body, status_code=201, work=work)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel
from sqlalchemy import Index, Integer, String, Text, delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from luoshi_kit.db import UtcDateTime, _KitTable, statement_alone, tables_of, utcnow
from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255


class IdempotencyMixin(_KitTable):
    """The first response to a create sent with an ``Idempotency-Key``, kept for ``TTL``.

    Each service that takes keys maps it on its own base (and adds the table to its migration):
    ``class IdempotencyRecord(IdempotencyMixin, Base): pass``."""

    __tablename__ = "idempotency_key"

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Index]:
        return (Index("ix_idempotency_key_created_at", "created_at"),)

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)  # the person
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of method, path and body
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


async def _header(
    value: Annotated[
        str | None,
        Header(
            alias=HEADER,
            description="幂等键: 同一键同一请求体在 24 小时内只执行一次 (重放首次响应)",
        ),
    ] = None,
) -> str | None:
    if value is None:
        return None
    key = value.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':  # the draft sends a structured-field string
        key = key[1:-1]
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise Problem(
            400,
            "invalid-idempotency-key",
            "幂等键无效 Invalid Idempotency-Key",
            f"Idempotency-Key 须为 1 至 {MAX_KEY_LENGTH} 个可打印 ASCII 字符",
        )
    return key


IdempotencyKeyDep = Annotated[str | None, Depends(_header)]


def fingerprint(method: str, path: str, payload: Any) -> str:
    """sha256 over the method, the path and the request body as canonical JSON (``payload`` is the
    parsed body, or bytes such as an uploaded file's content)."""
    digest = hashlib.sha256(f"{method.upper()} {path}\n".encode())
    if isinstance(payload, bytes | bytearray):
        digest.update(bytes(payload))
    else:
        digest.update(json.dumps(jsonable_encoder(payload), sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def _lock_id(scope: str, key: str) -> int:
    raw = int.from_bytes(hashlib.sha256(f"idempotency:{scope}:{key}".encode()).digest()[:8], "big")
    return raw - (1 << 64) if raw >= 1 << 63 else raw  # a signed bigint for pg_try_advisory_xact_lock


def _model(session: AsyncSession) -> Any:
    """The service's mapped ``IdempotencyMixin`` class, found on its declarative base."""
    base = tables_of(session).base
    for mapper in base.registry.mappers:
        if issubclass(mapper.class_, IdempotencyMixin):
            return mapper.class_
    raise RuntimeError(f"{base.__name__} maps no IdempotencyMixin table: add one in the service's db.py")


def _replay(record: Any) -> Response:
    return Response(
        content=record.response_body,
        status_code=record.status_code,
        media_type="application/json",
        headers={REPLAYED_HEADER: "true"},
    )


async def _claim(
    session: AsyncSession, model: Any, scope: str, key: str, print_: str, now: datetime
) -> Response | None:
    """Inside the write's transaction: a replay, a problem, or None to go ahead."""
    if session.get_bind().dialect.name == "postgresql":
        held = await session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": _lock_id(scope, key)}
        )
        if not held:
            raise Problem(
                409,
                "idempotency-in-flight",
                "相同请求正在处理 Request in progress",
                "使用同一 Idempotency-Key 的请求尚未完成, 请稍后重试",
            )
    record = await session.get(model, (scope, key), populate_existing=True)
    if record is not None and record.created_at < now - TTL:
        await session.delete(record)
        await session.flush()
        record = None
    if record is None:
        return None
    if record.fingerprint != print_:
        raise Problem(
            422,
            "idempotency-key-reused",
            "幂等键已用于其他请求 Idempotency-Key reused",
            "此 Idempotency-Key 已用于内容不同的请求; 新请求请使用新的键",
        )
    return _replay(record)


async def idempotent(
    *,
    request: Request,
    session: AsyncSession,
    identity: Identity,
    key: str | None,
    payload: Any,
    status_code: int,
    work: Callable[[], Awaitable[Any]],
    one_statement: bool = False,
) -> Response:
    """Run ``work`` (the create; it returns the response body) in one transaction, at most once per
    (person, key) within ``TTL``; without a key, simply once. ``work`` must not open a transaction.

    ``one_statement``: ``work`` writes with a single statement (atomic by itself) and reads nothing that
    must share its snapshot. Without a key, on PostgreSQL, that statement then runs alone
    (``db.statement_alone``): no session transaction, no BEGIN and no COMMIT (issue 10: the round trips
    were a sixth of a task write's CPU, the session's transaction a further ~0.1 ms); it wakes the outbox
    relay itself. A key's record is a second write, so with a key it is one transaction."""
    if one_statement and not key and statement_alone(session):
        return Response(content=_json(await work()), status_code=status_code, media_type="application/json")
    model: Any = _model(session) if key else None
    print_ = fingerprint(request.method, request.url.path, payload) if key else ""
    now = utcnow()
    async with session.begin():
        if key:
            replay = await _claim(session, model, identity.person_id, key, print_, now)
            if replay is not None:
                return replay
        body = _json(await work())
        if key:
            await session.execute(
                delete(model).where(model.scope == identity.person_id, model.created_at < now - TTL)
            )
            session.add(
                model(
                    scope=identity.person_id,
                    key=key,
                    fingerprint=print_,
                    method=request.method,
                    path=request.url.path[:500],
                    status_code=status_code,
                    response_body=body,
                    created_at=now,
                )
            )
            try:
                await session.flush()
            except IntegrityError:
                raise Problem(
                    409,
                    "idempotency-in-flight",
                    "相同请求正在处理 Request in progress",
                    "使用同一 Idempotency-Key 的请求已由另一处理完成, 请重试以取得其结果",
                ) from None
    return Response(content=body, status_code=status_code, media_type="application/json")


def _json(result: Any) -> str:
    """The response body: a pydantic model serialises itself (in Rust, several times faster than
    ``jsonable_encoder`` on a task), anything else goes through FastAPI's encoder."""
    if isinstance(result, BaseModel):
        return result.model_dump_json(by_alias=True)
    return json.dumps(jsonable_encoder(result), ensure_ascii=False)


async def stored(*, session: AsyncSession, scope: str, key: str) -> Any | None:
    """The stored record of (person, key), for tests and operators."""
    model = _model(session)
    return await session.scalar(select(model).where(model.scope == scope, model.key == key))
