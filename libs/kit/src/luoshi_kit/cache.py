"""Per-process caches of small, rarely changed data read on hot paths (calendar, rules, active units).

One entry per database (tests and benchmarks run many in one process), kept for ``ttl`` seconds. The process
that changes the data forgets it at once and again when the change commits (``changed``); other replicas see
the change within ``ttl`` — the price of not reading settings on every request (issue 10's profile: the
calendar and the deadline rules were a quarter of a task write).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
_DATABASES: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


class ProcessCache(Generic[T]):
    def __init__(self, name: str, ttl: float) -> None:
        self.name = name
        self.ttl = ttl
        self._items: dict[str, tuple[float, T]] = {}

    @staticmethod
    def _key(session: AsyncSession) -> str:
        """The database's URL (rendering it anew was 1.5 % of a task write's CPU)."""
        engine = session.get_bind().engine
        key = _DATABASES.get(engine)
        if key is None:
            key = _DATABASES[engine] = engine.url.render_as_string(hide_password=True)
        return key

    async def get(self, session: AsyncSession, load: Callable[[AsyncSession], Awaitable[T]]) -> T:
        key = self._key(session)
        hit = self._items.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        value = await load(session)
        self._items[key] = (time.monotonic() + self.ttl, value)
        return value

    def clear(self) -> None:
        self._items.clear()

    def changed(self, session: AsyncSession) -> None:
        """This transaction changes the cached data: forget it now, and again once the change commits (a
        read between now and the commit may have cached the old value)."""
        self.clear()
        event.listen(session.sync_session, "after_commit", lambda _session: self.clear(), once=True)
