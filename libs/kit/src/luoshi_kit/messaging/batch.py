"""Work an event handler leaves to the end of its batch, so a batch of events costs a few statements.

The consumer (``inbox.EventConsumer``) hands a handler the events of one delivery batch one by one, in one
transaction. A handler whose effect is additive (rows to insert, counters to move) can collect it with
``deferred`` and write it once for the whole batch; a handler that reads rows per event can load them for
the whole batch first with a ``prepare`` function (``HandlerTable.on(..., prepare=...)``). The consumer
runs ``finish_batch`` after the last handler and before it flushes, in the same transaction, so the
batch's effects still commit together with its inbox rows, or not at all. Code that calls a handler
directly (tests) calls ``finish_batch`` after it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
Finisher = Callable[[AsyncSession, T], Awaitable[None]]
_KEY = "luoshi_batch_deferred"


def deferred(session: AsyncSession, finish: Finisher[T], make: Callable[[], T]) -> T:
    """The batch's accumulator for ``finish`` (``make()`` on first use); at the end of the batch
    ``finish(session, accumulator)`` runs once, in the order the finishers were first deferred."""
    pending: dict[Any, Any] = session.info.setdefault(_KEY, {})
    if finish not in pending:
        pending[finish] = make()
    accumulated: T = pending[finish]
    return accumulated


async def finish_batch(session: AsyncSession) -> None:
    """Run what the batch's handlers deferred (and what those finishers defer in turn)."""
    while pending := session.info.pop(_KEY, None):
        for finish, accumulated in pending.items():
            await finish(session, accumulated)


def batch_cache(session: AsyncSession, name: str) -> dict[Any, Any]:
    """A dictionary living for the session's current batch (e.g. rows a ``prepare`` loaded)."""
    caches: dict[str, dict[Any, Any]] = session.info.setdefault("luoshi_batch_cache", {})
    return caches.setdefault(name, {})


def forget_batch(session: AsyncSession) -> None:
    session.info.pop("luoshi_batch_cache", None)
    session.info.pop(_KEY, None)
