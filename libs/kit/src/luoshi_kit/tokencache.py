"""Tokens this process already verified (or signed), kept until they expire: an HS256 check, the JSON
and the model validation cost more than the rest of a proxied request (issue 10's profile of the
gateway: a fifth of its CPU per request went to verifying the bearer token and signing the identity).

A hit is only ever the result of a full verification of the very same token string, and stops counting
the moment the token's ``exp`` passes, exactly when the verification itself would start refusing it.
Revocation is not a property of the token and stays checked on every request by its callers.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class TokenCache(Generic[T]):
    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._items: dict[Hashable, tuple[float, T]] = {}

    def get(self, key: Hashable) -> T | None:
        hit = self._items.get(key)
        if hit is None:
            return None
        if hit[0] <= time.time():  # as PyJWT: a token is valid while exp > now
            self._items.pop(key, None)
            return None
        return hit[1]

    def put(self, key: Hashable, expires_at: float, value: T) -> None:
        if len(self._items) >= self.max_entries:
            self._items.clear()
        self._items[key] = (expires_at, value)

    def clear(self) -> None:
        self._items.clear()
